/* A container's life in the agent as one state, and the events that move it from one state to
 * the next. Every change of a container's state goes through container_state_next, so an
 * event that cannot happen in a state is refused by name instead of being half-applied.
 *
 * What the hub sees follows from it (agent/tasks/): STOPPED in a final state, otherwise RUNNING
 * once the pid is known (a container may be stopped before its pid is) and PENDING before. */
#pragma once

#include <stdbool.h>

#include "common/error.h"

enum container_state {
	CONTAINER_PULLING,   /* named, waits for its task's images; no monitor yet */
	CONTAINER_STARTING,  /* its monitor was spawned or adopted; the pid is not known yet */
	CONTAINER_RUNNING,   /* the monitor recorded the pid of its first process */
	CONTAINER_STOPPING,  /* SIGTERM went through the monitor; the stop timeout runs */
	CONTAINER_KILLED,    /* the stop timeout passed: its cgroup was killed, the monitor's end
			      * is awaited */
	CONTAINER_LOST,      /* the monitor ended without an exit record: its cgroup was killed
			      * and is awaited empty */
	CONTAINER_EXITED,    /* final: it ran and ended; left only by its restart policy */
	CONTAINER_NEVER_RAN, /* final: it ended without running (a set-up error, a failed pull or
			      * start, a monitor lost before the pid, stopped before it started) */
	CONTAINER_RESTARTING, /* it ran and ended, and its restart policy restarts it: the restart
			       * is recorded, its new monitor not spawned yet */
};
#define CONTAINER_STATE_COUNT (CONTAINER_RESTARTING + 1)

enum container_event {
	CONTAINER_EVENT_SPAWNED,      /* this agent spawned its monitor */
	CONTAINER_EVENT_ADOPTED,      /* after an agent restart, a monitor was found to have run in
				       * its folder */
	CONTAINER_EVENT_PID_SEEN,     /* the monitor's pid file names its first process */
	CONTAINER_EVENT_STOP_ASKED,   /* its task stops */
	CONTAINER_EVENT_STOP_TIMEOUT, /* the stop timeout passed since the stop was asked */
	CONTAINER_EVENT_MONITOR_LOST, /* the monitor ended without an exit record */
	CONTAINER_EVENT_ENDED,        /* it ended after running (container_end_event) */
	CONTAINER_EVENT_START_FAILED, /* it ended, or will never start, without having run */
	CONTAINER_EVENT_RESTART,      /* its restart policy restarts it (after an agent restart: a
				       * restart recorded whose monitor was not spawned) */
};
#define CONTAINER_EVENT_COUNT (CONTAINER_EVENT_RESTART + 1)

/* "PULLING", "RUNNING", ... for logs. */
const char *container_state_name(enum container_state s);
/* "spawned", "stop asked", ... for logs. */
const char *container_event_name(enum container_event e);

/* The state that EVENT leads to from FROM in *ret; -EINVAL, naming both, when EVENT cannot
 * happen in FROM (*ret is then untouched). */
int container_state_next(enum container_state from, enum container_event event,
			 enum container_state *ret, struct error *err);

/* A final state is never left, but for the restart of an EXITED container (RESTARTING). */
bool container_state_is_final(enum container_state s);
/* The container may still have processes: a monitor to wait for or a cgroup to empty. */
bool container_state_is_active(enum container_state s);
/* Its monitor is tracked and has not been seen to end. */
bool container_state_has_monitor(enum container_state s);

/* How a container's end is told: ENDED when it ran (its pid was seen, or its exit record names
 * no set-up error; the monitor writes the pid only once set-up succeeded), START_FAILED when
 * it did not. */
enum container_event container_end_event(bool pid_seen, bool setup_failed);
