/* What the task manager knows of its tasks, read-only, for the local API (agent/api/): each
 * task and its containers as plain values valid during the callback. The view is taken on the
 * loop's thread, between ticks, so nothing moves while it is read. */
#pragma once

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "agent/tasks/task_manager.h"

struct container_view {
	const char *name;
	const char *image;
	const char *known_status;   /* PENDING, RUNNING, STOPPED */
	const char *health;         /* HEALTHY, UNHEALTHY, UNKNOWN; NULL without a healthCheck */
	const char *health_output;  /* the failing check's output that made it so; NULL when none */
	bool has_exit_code;
	int exit_code;
	const char *reason;         /* NULL when none */
	pid_t pid;                  /* 0 when not running */
	const char *dir;            /* the state folder */
	const char *cgroup;         /* relative to the cgroup2 mount */
	uint32_t cpu, memory_mib, memory_reservation_mib;
	bool essential;
	bool has_restart_policy;    /* its restartPolicy is enabled */
	uint32_t restart_count;     /* restarts its policy made */
};

struct task_view {
	const char *arn;
	const char *id;
	const char *family;         /* NULL for a definition that did not parse */
	const char *network_mode;   /* "host" or "none" */
	const char *known_status;
	const char *desired_status; /* STOPPED once a stop is asked or decided, else RUNNING */
	const char *stop_code, *stopped_reason; /* NULL when none */
	const char *health;         /* over its essential checked containers; NULL when none has a
				     * healthCheck */
	uint32_t cpu, memory_mib;   /* task-level; 0 when not set */
	double pull_started_at, pull_stopped_at;
	const struct container_view *containers;
	size_t n_containers;
};

/* Tasks by the status the hub is told. */
struct task_status_counts {
	uint64_t pending, running, stopped;
};

/* A task_manager_foreach_view FN counting VIEW into USERDATA, a struct task_status_counts. */
int task_view_count(void *userdata, const struct task_view *view);

/* FN for every task the manager knows, in its order; stops at and returns the first negative
 * value FN returns. -ENOMEM when a view cannot be made. */
int task_manager_foreach_view(const struct task_manager *tm,
			      int (*fn)(void *userdata, const struct task_view *view),
			      void *userdata);
