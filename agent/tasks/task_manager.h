/* The task manager: the state machine of the tasks this node runs, shared by the daemon
 * (`tether run`) and the local runner (`tether task run`). It does not own an event loop:
 * the caller calls task_manager_tick() often (every 100 ms or at task_manager_next_deadline)
 * and the manager reports every task state change through the on_state callback, from
 * inside tick or start/stop calls, on the caller's thread. Slow work (image import, layer
 * unpack) runs on worker threads; containers are started by spawning tether-monitor. */
#pragma once

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include <cjson/cJSON.h>

#include "agent/tasks/restart_policy.h"
#include "common/error.h"
#include "container/health_status.h"
#include "image/image.h"

enum task_status {
	TASK_PENDING,  /* accepted, image being prepared, containers not yet started */
	TASK_RUNNING,  /* every container started */
	TASK_STOPPED,  /* every container ended (or never started) */
};

const char *task_status_to_string(enum task_status s); /* "PENDING", "RUNNING", "STOPPED" */

struct container_report {
	const char *name;
	enum task_status status;
	bool has_exit_code;
	int exit_code;          /* 128+signal when killed by a signal, 137 for OOM and SIGKILL */
	const char *reason;     /* NULL or e.g. "OutOfMemoryError: Container killed due to memory usage" */
	pid_t pid;              /* container's first process as the host sees it; 0 when not running */
	bool has_health_check;
	enum container_health health;
	const char *health_output; /* NULL, or the output of the check that made it unhealthy */
	/* restart_count is reported: its restartPolicy is enabled, or it was restarted (after a
	 * reboot, task_manager_config.restore_after_reboot) */
	bool has_restart_policy;
	uint32_t restart_count;    /* restarts the policy (or a reboot) made */
};

struct task_report {
	const char *task_arn;
	enum task_status status;
	const char *stop_code;      /* NULL, "EssentialContainerExited", "UserInitiated", "TaskFailedToStart" */
	const char *stopped_reason; /* NULL or a human sentence, e.g. "Essential container in task exited" */
	const struct container_report *containers;
	size_t n_containers;
	/* When this node's clock saw the images' pull start and end; 0 when unknown (a task
	 * adopted after a restart of the agent reports none). */
	double pull_started_at, pull_stopped_at;
	bool has_health_check;       /* a container has a healthCheck */
	enum container_health health; /* over its essential containers (agent/tasks/task_health.h) */
};

/* Where the pids controller is available every container gets a pids.max, so that a fork
 * bomb is held inside its container. */
#define TASK_MANAGER_DEFAULT_PIDS_MAX 1024

/* STATE/tasks/<id>/pull.json while the task's images are fetched: {"bytes_done": N,
 * "bytes_total": M} (bytes_total grows as layers start), rewritten at most once a second, for
 * `tether status`; removed when the pull ends. */
#define TASK_PULL_PROGRESS_FILE "pull.json"

struct task_manager_config {
	const char *state_dir;       /* tasks live in STATE_DIR/tasks/<task id>/ */
	const char *monitor_path;    /* path of the tether-monitor binary */
	bool allow_no_limits;
	/* pids.max of every container where the pids controller is available (0: the default). */
	uint64_t default_pids_max;        /* run tasks that ask for limits where the cgroup controllers are missing */
	struct registry_options registry; /* how images are pulled from registries */
	enum image_pull_behavior image_pull_behavior; /* and when (image/image.h) */
	uint64_t image_store_budget;     /* bytes the image store may take; 0: no budget */
	uint64_t image_cleanup_age_s;    /* unused images go after this long; 0: never by age */
	bool inherit_output;         /* containers write to the caller's stdout/stderr (tether task run)
				      * instead of through their log driver */
	/* ECS_CONTAINER_METADATA_URI_V4 of a container (allocated; the task manager frees it),
	 * or NULL when the task metadata endpoint is off. Containers of networkMode none, which
	 * cannot reach the host's loopback, get none. NULL: no container gets one. */
	char *(*metadata_uri)(void *userdata, const char *task_arn, const char *container_name);
	/* The restart policy's records (agent/tasks/restart_policy.h), kept by the caller across
	 * agent restarts (the daemon: in state.db). save_restart is called when a restart is
	 * decided, and again once its monitor is spawned; what it writes must be durable before the
	 * next task_manager_tick, which spawns that monitor. load_restart, when a task is taken
	 * back after an agent restart, returns 1 with *ret filled, 0 when none was kept. NULL:
	 * kept in memory only. Both return a negative errno on failure. */
	int (*save_restart)(void *userdata, const char *task_arn, const char *container,
			    const struct restart_record *rec);
	int (*load_restart)(void *userdata, const char *task_arn, const char *container,
			    struct restart_record *ret);
	/* The host rebooted since the tasks taken back by task_manager_resume_task last ran, and
	 * their containers killed with it (a monitor was started, no exit record) are to run
	 * again: each counts as a restart of the container (its restart record, restart_count,
	 * the reason BOOT_RESTORE_REASON) and starts as a first start does (images from the
	 * store, dependsOn order), unless its task stops (an essential container ended on its own,
	 * a stop was asked). False: they are reported STOPPED with their exit code unknown, as
	 * after any lost monitor. */
	bool restore_after_reboot;
	/* With restore_after_reboot: the wall-clock time (s) at which the agent, stopped, saw the
	 * host shutting down before the reboot (agent/daemon/boot_check.h), 0 when it did not. A
	 * container whose exit record was written at or after it was stopped by that shutdown,
	 * not by an end of its own, and runs again as one the reboot killed. */
	int64_t host_stopping_at;
	/* restartAttemptPeriod is applied at this percent (1-100; 0: 100), for tests. */
	unsigned restart_period_percent;
	/* Called for every change of a task's or a container's status. */
	void (*on_state)(void *userdata, const struct task_report *report);
	void *userdata;
};

struct task_manager;

int task_manager_new(const struct task_manager_config *config, struct task_manager **ret,
		     struct error *err);
void task_manager_free(struct task_manager *tm);

/* Start a task from its ECS task definition JSON (as the hub forwards it). A task ARN the
 * manager already knows is accepted again without effect (assignments may be redelivered;
 * the caller's store keeps forgotten tasks from coming back).
 * Every task handed over here is reported through on_state: when it cannot run (invalid
 * definition, limits asked for where the cgroup controllers are missing and allow_no_limits is
 * off, image or start failure) it is reported STOPPED with stop_code "TaskFailedToStart" and
 * the reason; the return value repeats the error for the caller's log. */
int task_manager_start_task(struct task_manager *tm, const char *task_arn,
			    const cJSON *task_definition, struct error *err);

/* After an agent restart: take back a task stored before it (task_definition as given to
 * start_task, last_reported the status last reported for it: PENDING when none). Containers
 * whose monitor still runs are adopted, never started twice; exits that happened meanwhile are
 * reported with their exit record; containers whose monitor died without a record are
 * reported STOPPED with no exit code (their cgroup is killed); containers never started are
 * started once the images are prepared again. Changes are reported from the next tick. */
int task_manager_resume_task(struct task_manager *tm, const char *task_arn,
			     const cJSON *task_definition, enum task_status last_reported,
			     struct error *err);

/* Ask a task to stop: SIGTERM to every container, SIGKILL (cgroup.kill) after each
 * container's stopTimeout. Unknown ARNs return -ENOENT; stopping a stopped task is a no-op. */
int task_manager_stop_task(struct task_manager *tm, const char *task_arn, const char *reason);

/* Reap ended monitors, read exit records, enforce stop timeouts, finish image preparation,
 * and emit state changes. Never blocks. */
void task_manager_tick(struct task_manager *tm);

/* Milliseconds until the next tick is needed (-1 when nothing is pending): short while a
 * container whose folder is not watched has not yet reported its pid, TICK_MS (stop
 * timeouts) otherwise. */
int task_manager_next_deadline_ms(const struct task_manager *tm);

/* A file descriptor (epoll) that becomes readable when a tick has work now: an image
 * preparation finished, a container started (its pid file was written) or a monitor ended.
 * Poll it together with the deadline above. */
int task_manager_fd(const struct task_manager *tm);

/* WAKE(USERDATA) is also called, from an image worker's thread, when a preparation finishes:
 * for a caller whose loop cannot poll task_manager_fd (lws_cancel_service). NULL removes it;
 * once this returns the old WAKE is not called again. */
void task_manager_set_wake(struct task_manager *tm, void (*wake)(void *userdata),
			   void *userdata);

/* Forget a STOPPED task (its final state was acknowledged): its memory is freed and its ARN
 * becomes unknown. -ENOENT for an unknown ARN, -EBUSY for a task not yet STOPPED. */
int task_manager_forget_task(struct task_manager *tm, const char *task_arn);

/* Count of tasks not yet STOPPED. */
size_t task_manager_active_count(const struct task_manager *tm);

/* Count of the tasks this node knows in STATUS (stopped ones until the hub acknowledged). */
size_t task_manager_count(const struct task_manager *tm, enum task_status status);

/* Every container that has a cgroup, with its task's ARN and status; a negative return from
 * FN stops the walk and is returned. */
typedef int (*task_manager_container_fn)(void *userdata, const char *task_arn,
					 enum task_status task_status, const char *container,
					 const char *cgroup);
int task_manager_foreach_container(const struct task_manager *tm, task_manager_container_fn fn,
				   void *userdata);

/* Report of every known task's current state through on_state (used after a reconnect). */
void task_manager_report_all(struct task_manager *tm);
