/* The container state machine: every allowed transition, and every other one refused by name. */
#include <errno.h>

#include "runtime/container_state.h"
#include "test.h"

struct transition {
	enum container_state from;
	enum container_event event;
	enum container_state to;
};

static const struct transition ALLOWED[] = {
	{ CONTAINER_PULLING, CONTAINER_EVENT_SPAWNED, CONTAINER_STARTING },
	{ CONTAINER_PULLING, CONTAINER_EVENT_ADOPTED, CONTAINER_STARTING },
	{ CONTAINER_PULLING, CONTAINER_EVENT_STOP_ASKED, CONTAINER_NEVER_RAN },
	{ CONTAINER_PULLING, CONTAINER_EVENT_START_FAILED, CONTAINER_NEVER_RAN },
	{ CONTAINER_PULLING, CONTAINER_EVENT_RESTART, CONTAINER_RESTARTING },
	{ CONTAINER_STARTING, CONTAINER_EVENT_PID_SEEN, CONTAINER_RUNNING },
	{ CONTAINER_STARTING, CONTAINER_EVENT_STOP_ASKED, CONTAINER_STOPPING },
	{ CONTAINER_STARTING, CONTAINER_EVENT_MONITOR_LOST, CONTAINER_LOST },
	{ CONTAINER_STARTING, CONTAINER_EVENT_ENDED, CONTAINER_EXITED },
	{ CONTAINER_STARTING, CONTAINER_EVENT_START_FAILED, CONTAINER_NEVER_RAN },
	{ CONTAINER_RUNNING, CONTAINER_EVENT_STOP_ASKED, CONTAINER_STOPPING },
	{ CONTAINER_RUNNING, CONTAINER_EVENT_MONITOR_LOST, CONTAINER_LOST },
	{ CONTAINER_RUNNING, CONTAINER_EVENT_ENDED, CONTAINER_EXITED },
	{ CONTAINER_STOPPING, CONTAINER_EVENT_PID_SEEN, CONTAINER_STOPPING },
	{ CONTAINER_STOPPING, CONTAINER_EVENT_STOP_ASKED, CONTAINER_STOPPING },
	{ CONTAINER_STOPPING, CONTAINER_EVENT_STOP_TIMEOUT, CONTAINER_KILLED },
	{ CONTAINER_STOPPING, CONTAINER_EVENT_MONITOR_LOST, CONTAINER_LOST },
	{ CONTAINER_STOPPING, CONTAINER_EVENT_ENDED, CONTAINER_EXITED },
	{ CONTAINER_STOPPING, CONTAINER_EVENT_START_FAILED, CONTAINER_NEVER_RAN },
	{ CONTAINER_KILLED, CONTAINER_EVENT_PID_SEEN, CONTAINER_KILLED },
	{ CONTAINER_KILLED, CONTAINER_EVENT_STOP_ASKED, CONTAINER_KILLED },
	{ CONTAINER_KILLED, CONTAINER_EVENT_MONITOR_LOST, CONTAINER_LOST },
	{ CONTAINER_KILLED, CONTAINER_EVENT_ENDED, CONTAINER_EXITED },
	{ CONTAINER_KILLED, CONTAINER_EVENT_START_FAILED, CONTAINER_NEVER_RAN },
	{ CONTAINER_LOST, CONTAINER_EVENT_PID_SEEN, CONTAINER_LOST },
	{ CONTAINER_LOST, CONTAINER_EVENT_STOP_ASKED, CONTAINER_LOST },
	{ CONTAINER_LOST, CONTAINER_EVENT_ENDED, CONTAINER_EXITED },
	{ CONTAINER_LOST, CONTAINER_EVENT_START_FAILED, CONTAINER_NEVER_RAN },
	{ CONTAINER_EXITED, CONTAINER_EVENT_RESTART, CONTAINER_RESTARTING },
	{ CONTAINER_RESTARTING, CONTAINER_EVENT_SPAWNED, CONTAINER_STARTING },
	{ CONTAINER_RESTARTING, CONTAINER_EVENT_STOP_ASKED, CONTAINER_EXITED },
	{ CONTAINER_RESTARTING, CONTAINER_EVENT_ENDED, CONTAINER_EXITED },
};
#define N_ALLOWED (sizeof(ALLOWED) / sizeof(ALLOWED[0]))

static const struct transition *allowed(enum container_state from, enum container_event event)
{
	for (size_t i = 0; i < N_ALLOWED; i++)
		if (ALLOWED[i].from == from && ALLOWED[i].event == event)
			return &ALLOWED[i];
	return NULL;
}

TEST(every_allowed_transition_leads_where_it_should)
{
	for (size_t i = 0; i < N_ALLOWED; i++) {
		enum container_state to = CONTAINER_PULLING;
		struct error err = { 0 };
		ASSERT_INT_EQ(container_state_next(ALLOWED[i].from, ALLOWED[i].event, &to, &err), 0);
		ASSERT_INT_EQ(to, ALLOWED[i].to);
	}
}

TEST(every_other_transition_is_refused_naming_state_and_event)
{
	size_t refused = 0;
	for (int s = 0; s < CONTAINER_STATE_COUNT; s++) {
		for (int e = 0; e < CONTAINER_EVENT_COUNT; e++) {
			if (allowed((enum container_state)s, (enum container_event)e))
				continue;
			enum container_state to = CONTAINER_RUNNING;
			struct error err = { 0 };
			ASSERT_INT_EQ(container_state_next((enum container_state)s,
							   (enum container_event)e, &to, &err),
				      -EINVAL);
			ASSERT_INT_EQ(to, CONTAINER_RUNNING); /* untouched */
			ASSERT_CONTAINS(err.message, container_state_name((enum container_state)s));
			ASSERT_CONTAINS(err.message, container_event_name((enum container_event)e));
			refused++;
		}
	}
	ASSERT_INT_EQ(refused + N_ALLOWED, CONTAINER_STATE_COUNT * CONTAINER_EVENT_COUNT);
}

TEST(refusal_message_reads_as_a_sentence)
{
	enum container_state to;
	struct error err = { 0 };
	ASSERT_INT_EQ(container_state_next(CONTAINER_EXITED, CONTAINER_EVENT_STOP_TIMEOUT, &to, &err),
		      -EINVAL);
	ASSERT_STR_EQ(err.message, "a container in state EXITED cannot take the event \"stop timeout\"");
}

TEST(values_outside_the_enums_are_refused)
{
	enum container_state to;
	ASSERT_INT_EQ(container_state_next((enum container_state)CONTAINER_STATE_COUNT,
					   CONTAINER_EVENT_SPAWNED, &to, NULL), -EINVAL);
	ASSERT_INT_EQ(container_state_next(CONTAINER_PULLING,
					   (enum container_event)CONTAINER_EVENT_COUNT, &to, NULL),
		      -EINVAL);
}

TEST(final_states_are_left_by_no_event_but_a_restart)
{
	for (int s = 0; s < CONTAINER_STATE_COUNT; s++) {
		bool leaves = false;
		for (size_t i = 0; i < N_ALLOWED; i++)
			leaves |= ALLOWED[i].from == (enum container_state)s &&
				  ALLOWED[i].event != CONTAINER_EVENT_RESTART;
		ASSERT_INT_EQ(container_state_is_final((enum container_state)s), !leaves);
	}
	/* Only a container that ran is restarted: one that never ran stays so. */
	enum container_state to;
	ASSERT_INT_EQ(container_state_next(CONTAINER_NEVER_RAN, CONTAINER_EVENT_RESTART, &to, NULL),
		      -EINVAL);
}

TEST(activity_and_monitor_follow_the_state)
{
	ASSERT_TRUE(!container_state_is_active(CONTAINER_PULLING));
	ASSERT_TRUE(container_state_is_active(CONTAINER_STARTING));
	ASSERT_TRUE(container_state_is_active(CONTAINER_KILLED));
	ASSERT_TRUE(container_state_is_active(CONTAINER_LOST));
	ASSERT_TRUE(!container_state_is_active(CONTAINER_EXITED));
	ASSERT_TRUE(!container_state_is_active(CONTAINER_NEVER_RAN));
	/* Between two starts of its restart policy: no monitor to watch, nothing to poll. */
	ASSERT_TRUE(!container_state_is_active(CONTAINER_RESTARTING));
	ASSERT_TRUE(!container_state_is_final(CONTAINER_RESTARTING));
	ASSERT_TRUE(container_state_has_monitor(CONTAINER_RUNNING));
	ASSERT_TRUE(container_state_has_monitor(CONTAINER_STOPPING));
	ASSERT_TRUE(!container_state_has_monitor(CONTAINER_LOST));
	ASSERT_TRUE(!container_state_has_monitor(CONTAINER_PULLING));
}

TEST(every_state_and_event_has_a_name)
{
	for (int s = 0; s < CONTAINER_STATE_COUNT; s++)
		ASSERT_TRUE(strcmp(container_state_name((enum container_state)s), "UNKNOWN") != 0);
	for (int e = 0; e < CONTAINER_EVENT_COUNT; e++)
		ASSERT_TRUE(strcmp(container_event_name((enum container_event)e), "unknown") != 0);
	ASSERT_STR_EQ(container_state_name(CONTAINER_NEVER_RAN), "NEVER_RAN");
}

TEST(an_end_counts_as_run_when_the_pid_was_seen_or_set_up_succeeded)
{
	ASSERT_INT_EQ(container_end_event(true, false), CONTAINER_EVENT_ENDED);
	ASSERT_INT_EQ(container_end_event(false, false), CONTAINER_EVENT_ENDED);
	ASSERT_INT_EQ(container_end_event(true, true), CONTAINER_EVENT_ENDED);
	ASSERT_INT_EQ(container_end_event(false, true), CONTAINER_EVENT_START_FAILED);
}
