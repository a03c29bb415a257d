/* The container state machine: one table of transitions. */
#include <errno.h>

#include "runtime/container_state.h"

/* An entry is the next state plus one, so that an event not listed (0) is refused. */
#define TO(state) ((state) + 1)

/* NEXT[state][event]: where the event leads. A stop asked again, or a pid seen while
 * stopping, changes nothing; the final states are never left, but for the restart policy's
 * restart of an EXITED container. */
static const unsigned char NEXT[CONTAINER_STATE_COUNT][CONTAINER_EVENT_COUNT] = {
	[CONTAINER_PULLING] = {
		[CONTAINER_EVENT_SPAWNED] = TO(CONTAINER_STARTING),
		[CONTAINER_EVENT_ADOPTED] = TO(CONTAINER_STARTING),
		[CONTAINER_EVENT_STOP_ASKED] = TO(CONTAINER_NEVER_RAN),
		[CONTAINER_EVENT_START_FAILED] = TO(CONTAINER_NEVER_RAN),
		[CONTAINER_EVENT_RESTART] = TO(CONTAINER_RESTARTING),
	},
	[CONTAINER_STARTING] = {
		[CONTAINER_EVENT_PID_SEEN] = TO(CONTAINER_RUNNING),
		[CONTAINER_EVENT_STOP_ASKED] = TO(CONTAINER_STOPPING),
		[CONTAINER_EVENT_MONITOR_LOST] = TO(CONTAINER_LOST),
		[CONTAINER_EVENT_ENDED] = TO(CONTAINER_EXITED),
		[CONTAINER_EVENT_START_FAILED] = TO(CONTAINER_NEVER_RAN),
	},
	[CONTAINER_RUNNING] = {
		[CONTAINER_EVENT_STOP_ASKED] = TO(CONTAINER_STOPPING),
		[CONTAINER_EVENT_MONITOR_LOST] = TO(CONTAINER_LOST),
		[CONTAINER_EVENT_ENDED] = TO(CONTAINER_EXITED),
	},
	[CONTAINER_STOPPING] = {
		[CONTAINER_EVENT_PID_SEEN] = TO(CONTAINER_STOPPING),
		[CONTAINER_EVENT_STOP_ASKED] = TO(CONTAINER_STOPPING),
		[CONTAINER_EVENT_STOP_TIMEOUT] = TO(CONTAINER_KILLED),
		[CONTAINER_EVENT_MONITOR_LOST] = TO(CONTAINER_LOST),
		[CONTAINER_EVENT_ENDED] = TO(CONTAINER_EXITED),
		[CONTAINER_EVENT_START_FAILED] = TO(CONTAINER_NEVER_RAN),
	},
	[CONTAINER_KILLED] = {
		[CONTAINER_EVENT_PID_SEEN] = TO(CONTAINER_KILLED),
		[CONTAINER_EVENT_STOP_ASKED] = TO(CONTAINER_KILLED),
		[CONTAINER_EVENT_MONITOR_LOST] = TO(CONTAINER_LOST),
		[CONTAINER_EVENT_ENDED] = TO(CONTAINER_EXITED),
		[CONTAINER_EVENT_START_FAILED] = TO(CONTAINER_NEVER_RAN),
	},
	[CONTAINER_LOST] = {
		[CONTAINER_EVENT_PID_SEEN] = TO(CONTAINER_LOST),
		[CONTAINER_EVENT_STOP_ASKED] = TO(CONTAINER_LOST),
		[CONTAINER_EVENT_ENDED] = TO(CONTAINER_EXITED),
		[CONTAINER_EVENT_START_FAILED] = TO(CONTAINER_NEVER_RAN),
	},
	[CONTAINER_EXITED] = {
		[CONTAINER_EVENT_RESTART] = TO(CONTAINER_RESTARTING),
	},
	/* It ran before: a stop, or a new monitor that cannot be spawned, ends it as EXITED. */
	[CONTAINER_RESTARTING] = {
		[CONTAINER_EVENT_SPAWNED] = TO(CONTAINER_STARTING),
		[CONTAINER_EVENT_STOP_ASKED] = TO(CONTAINER_EXITED),
		[CONTAINER_EVENT_ENDED] = TO(CONTAINER_EXITED),
	},
};

const char *container_state_name(enum container_state s)
{
	switch (s) {
	case CONTAINER_PULLING:
		return "PULLING";
	case CONTAINER_STARTING:
		return "STARTING";
	case CONTAINER_RUNNING:
		return "RUNNING";
	case CONTAINER_STOPPING:
		return "STOPPING";
	case CONTAINER_KILLED:
		return "KILLED";
	case CONTAINER_LOST:
		return "LOST";
	case CONTAINER_EXITED:
		return "EXITED";
	case CONTAINER_NEVER_RAN:
		return "NEVER_RAN";
	case CONTAINER_RESTARTING:
		return "RESTARTING";
	}
	return "UNKNOWN";
}

const char *container_event_name(enum container_event e)
{
	switch (e) {
	case CONTAINER_EVENT_SPAWNED:
		return "spawned";
	case CONTAINER_EVENT_ADOPTED:
		return "adopted";
	case CONTAINER_EVENT_PID_SEEN:
		return "pid seen";
	case CONTAINER_EVENT_STOP_ASKED:
		return "stop asked";
	case CONTAINER_EVENT_STOP_TIMEOUT:
		return "stop timeout";
	case CONTAINER_EVENT_MONITOR_LOST:
		return "monitor lost";
	case CONTAINER_EVENT_ENDED:
		return "ended";
	case CONTAINER_EVENT_START_FAILED:
		return "start failed";
	case CONTAINER_EVENT_RESTART:
		return "restart";
	}
	return "unknown";
}

int container_state_next(enum container_state from, enum container_event event,
			 enum container_state *ret, struct error *err)
{
	if ((unsigned)from >= CONTAINER_STATE_COUNT || (unsigned)event >= CONTAINER_EVENT_COUNT ||
	    !NEXT[from][event])
		return error_set(err, EINVAL, "a container in state %s cannot take the event "
				 "\"%s\"", container_state_name(from), container_event_name(event));
	*ret = (enum container_state)(NEXT[from][event] - 1);
	return 0;
}

bool container_state_is_final(enum container_state s)
{
	return s == CONTAINER_EXITED || s == CONTAINER_NEVER_RAN;
}

/* PULLING and RESTARTING have no monitor yet. */
bool container_state_is_active(enum container_state s)
{
	return s != CONTAINER_PULLING && s != CONTAINER_RESTARTING && !container_state_is_final(s);
}

bool container_state_has_monitor(enum container_state s)
{
	return container_state_is_active(s) && s != CONTAINER_LOST;
}

enum container_event container_end_event(bool pid_seen, bool setup_failed)
{
	return pid_seen || !setup_failed ? CONTAINER_EVENT_ENDED : CONTAINER_EVENT_START_FAILED;
}
