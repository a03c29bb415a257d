/* What the task manager's files share: the task and container records and the steps that
 * starting a task and resuming one after an agent restart have in common. Not for other
 * callers: they use agent/task_manager.h. */
#pragma once

#include <pthread.h>

#include "agent/tasks/task_manager.h"
#include "container/exit_record.h"
#include "container/health_status.h"
#include "image/image_worker.h"
#include "protocol/taskdef.h"
#include "runtime/container_handle.h"
#include "runtime/monitor_watch.h"

#define OOM_REASON "OutOfMemoryError: Container killed due to memory usage"

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
	char *reason;
	/* What its healthCheck last decided (UNKNOWN without one); dependsOn HEALTHY waits on it. */
	enum container_health health;
	/* Monotonic ms when it was first seen started; a dependency's startTimeout counts from it. */
	int64_t started_at_ms;
	char *health_output;  /* the check's output when health last changed to UNHEALTHY or UNKNOWN */
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
/* Check the limits can be kept and start preparing the images on a worker thread. */
int tm_task_pull(struct task_manager *tm, struct tm_task *t, struct error *err);
/* A task that cannot run: STOPPED with TaskFailedToStart and REASON, reported now, or once
 * the containers a resumed task still runs have stopped. */
void tm_task_refuse(struct task_manager *tm, struct tm_task *t, const char *reason);
/* The container ended with the exit record REC: its exit code and reason. */
void tm_container_ended(struct tm_container *c, struct exit_record *rec);
/* PENDING, RUNNING or STOPPED as the hub sees it (and the local API shows it). */
enum task_status container_status(const struct tm_container *c);
