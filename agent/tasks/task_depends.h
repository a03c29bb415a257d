/* A task's containers in the order their dependsOn asks (protocol/taskdef_depends.h): which
 * container may start now, which waits, which gives up, and, reversed, which may be stopped. The
 * decision for one dependency is a pure function of what is known of it, so it is tested
 * without containers. */
#pragma once

#include <stdbool.h>
#include <stdint.h>

#include "agent/tasks/task_manager_internal.h"
#include "container/health_status.h"
#include "protocol/taskdef_depends.h"

/* What the start decision knows of one dependency. */
struct depends_fact {
	bool started;          /* its first process was seen (now or before it ended) */
	bool ended;            /* it will never run again (a final state) */
	bool has_exit_code;    /* ended after running, with its exit code known */
	int exit_code;
	enum container_health health;
	int64_t started_at_ms; /* monotonic clock, when it was first seen started */
	uint32_t start_timeout_s; /* its startTimeout; 0: no limit */
};

enum depends_verdict {
	DEPENDS_WAIT,      /* not met yet, may still be */
	DEPENDS_MET,
	DEPENDS_NEVER,     /* can no longer be met */
	DEPENDS_TIMED_OUT, /* not met within the dependency's startTimeout */
};

/* Whether DEP meets CONDITION at NOW_MS. */
enum depends_verdict depends_judge(enum taskdef_condition condition, const struct depends_fact *dep,
				   int64_t now_ms);

/* Why a container does not start: "dependsOn NAME CONDITION: ..." for VERDICT (NEVER or
 * TIMED_OUT) of DEP, in a string to free (NULL when out of memory). */
char *depends_reason(const char *name, enum taskdef_condition condition,
		     const struct depends_fact *dep, enum depends_verdict verdict);

/* Notes when each container of T was first seen started (for startTimeout). */
void task_depends_note_starts(struct tm_task *t, int64_t now_ms);

/* The verdict on every dependency of container I of T taken together: MET when all are met,
 * WAIT while any may still be, else the first that cannot be, with its reason in *ret_reason
 * (to free). */
enum depends_verdict task_depends_verdict(const struct tm_task *t, size_t i, int64_t now_ms,
					  char **ret_reason);

/* Stops, in reverse dependency order, what may stop now: a container not started yet at once,
 * a started one once every container depending on it has ended. */
void task_depends_stop_ready(struct tm_task *t);
