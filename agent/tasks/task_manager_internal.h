/* What the task manager's files share: the task and container records and the steps that
 * starting a task and resuming one after an agent restart have in common. Not for other
 * callers: they use agent/task_manager.h. */
#pragma once

#include <pthread.h>

#include "agent/tasks/restart_policy.h"
#include "agent/tasks/task_manager.h"
#include "cgroups/cgroup.h"
#include "container/exit_record.h"
#include "container/health_status.h"
#include "image/image_worker.h"
#include "protocol/taskdef.h"
#include "runtime/container_handle.h"
#include "runtime/monitor_watch.h"

#define OOM_REASON "OutOfMemoryError: Container killed due to memory usage"
/* A container's reason while it runs again after the host rebooted under it. */
#define BOOT_RESTORE_REASON "Restarted after the host rebooted"

/* A container's life is its handle's state (runtime/container_state.h); what the hub sees
 * follows from it (agent/tasks/task_manager.c: container_status). */
struct tm_container {
	const struct taskdef_container *def;
	struct container_handle h;
	/* An edge, not a state: it ended since the task's rules last looked (they apply once). */
	bool exited_now;
	/* The exit record's code, reported to the hub: known when the container ran and its
	 * monitor recorded the exit. */
	bool has_exit_code;
	int exit_code;
	/* The exit code of the end just seen is known (has_exit_code may be an earlier start's,
	 * kept for the report when a restart fails to start). */
	bool exit_known;
	char *reason;
	/* What its healthCheck last decided (UNKNOWN without one); dependsOn HEALTHY waits on it. */
	enum container_health health;
	/* Monotonic ms when it was first seen started; a dependency's startTimeout counts from it. */
	int64_t started_at_ms;
	char *health_output;  /* the check's output when health last changed to UNHEALTHY or UNKNOWN */
	struct restart_record restart; /* its restart policy's restarts (task_restart.c) */
	/* A restart whose monitor failed to spawn is tried again at respawn_at_ms, until
	 * respawn_until_ms (monotonic); 0: no failure yet. */
	int64_t respawn_at_ms, respawn_until_ms;
	/* After a reboot (task_manager_config.restore_after_reboot): a monitor ran in its folder
	 * and is gone without an exit record, killed with the host. It waits, PULLING, for
	 * tm_boot_restore_decide (task_boot_restore.h). */
	bool lost_by_reboot;
	/* Decided to start again after the reboot, and not seen running yet: it starts as a first
	 * start does (images, dependsOn order), and counts as not started for its dependents. */
	bool restoring;
	/* reason holds BOOT_RESTORE_REASON, which the reason of its next end replaces. */
	bool restore_note;
};

struct tm_task {
	struct tm_task *next;
	char *arn, *id, *dir;
	struct taskdef *td;
	enum task_status status;
	const char *stop_code;
	char *stopped_reason;
	struct tm_container *containers;
	struct image_worker *pull;
	/* The pulled images, kept while a container waits for its dependencies (task_depends.h). */
	struct image_worker *images;
	double pull_started_at, pull_stopped_at; /* this node's clock; 0: not (yet) */
	uint64_t pull_progress_written;  /* bytes_done in pull.json, and when it was written */
	int64_t pull_progress_at;
	bool limits;          /* apply the definition's limits (controllers present) */
	bool pids_limit;      /* the pids controller is there: apply the default pids.max */
	bool changed;
	int64_t health_read_at_ms; /* when the containers' health records are read next */
};

struct task_manager {
	struct task_manager_config cfg;
	char *state_dir, *monitor_path, *image_store;
	struct image_pull_options pull; /* image_store and cfg.registry, for the image workers */
	struct tm_task *tasks;
	struct monitor_watch *watch; /* every tracked monitor's pidfd */
	int wake_fd;                 /* eventfd: an image worker finished */
	int poll_fd;                 /* epoll of wake_fd and the watch: task_manager_fd */
	pthread_mutex_t wake_lock;   /* guards wake, called from worker threads */
	bool wake_lock_ready;
	void (*wake)(void *userdata);
	void *wake_userdata;
	char *no_device_filter;      /* why the kernel takes no cgroup device filter; NULL: it does */
	const struct cgroup_driver *cgroups; /* names and makes the cgroups of tasks */
};

/* The wake-up machinery (agent/task_manager_wake.c). */
int tm_wake_init(struct task_manager *tm, struct error *err);
void tm_wake_release(struct task_manager *tm);
void tm_wake(void *tm);           /* an image worker's on_done */
void tm_wake_drain(struct task_manager *tm);

struct tm_task *tm_find_task(const struct task_manager *tm, const char *arn);
/* A new PENDING task for ARN with its definition parsed and its containers' folders and
 * cgroups named. *ret is NULL when the ARN is known already (nothing to do) or on error; an
 * invalid definition is reported as a task that failed to start. */
int tm_task_create(struct task_manager *tm, const char *arn, const cJSON *json,
		   struct tm_task **ret, struct error *err);
/* Whether the definition's limits can be kept here (t->limits, t->pids_limit); a refusal is
 * returned in err. */
int tm_task_check_limits(struct task_manager *tm, struct tm_task *t, struct error *err);
/* The cgroup limits container C starts with. */
void tm_container_limits(const struct task_manager *tm, const struct tm_task *t,
			 const struct tm_container *c, struct cgroup_limits *ret);
/* Check the limits can be kept and start preparing the images on a worker thread. */
int tm_task_pull(struct task_manager *tm, struct tm_task *t, struct error *err);
/* A task that cannot run: STOPPED with TaskFailedToStart and REASON, reported now, or once
 * the containers a resumed task still runs have stopped. */
void tm_task_refuse(struct task_manager *tm, struct tm_task *t, const char *reason);
/* The container ended with the exit record REC: its exit code and reason. */
void tm_container_ended(struct tm_container *c, struct exit_record *rec);
/* PENDING, RUNNING or STOPPED as the hub sees it (and the local API shows it): a container
 * being restarted is RUNNING. */
enum task_status container_status(const struct tm_container *c);

/* The restart policy (agent/tasks/task_restart.c). Ends seen this tick (exited_now) that the
 * policy restarts are recorded and become RESTARTING, so that they are not exits: unless an
 * essential container's end (or a stop) stops the task in the same tick. */
void tm_restart_exits(struct task_manager *tm, struct tm_task *t);
/* C's restart record through the caller's save_restart (0 when it keeps none). */
int tm_restart_save(const struct task_manager *tm, const struct tm_task *t,
		    const struct tm_container *c);
/* One more restart of C, now, owed after the monitor its folder names, recorded; on failure
 * the record is as it was and the error returned. */
int tm_restart_record(struct task_manager *tm, struct tm_task *t, struct tm_container *c);
/* At the start of a tick, once the caller has made the records durable: the monitors of
 * RESTARTING containers are spawned; a container stopped while RESTARTING owes nothing. */
void tm_restart_step(struct task_manager *tm, struct tm_task *t);
/* After an agent restart, before C is adopted: its record; true when a restart recorded
 * before the agent ended was not made yet (C is RESTARTING, its monitor spawned by the next
 * tick), false when C is to be adopted as any other. */
bool tm_restart_resume(struct task_manager *tm, struct tm_task *t, struct tm_container *c);
