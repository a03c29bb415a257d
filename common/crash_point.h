/* Crash points: named places between two steps of the agent's work on a task (accepting it,
 * starting it, reporting its states, forgetting it) where a test build can make the agent die
 * on the spot, SIGKILL to itself with no cleanup, to prove that what it made durable before
 * the point is all it needs to go on (tests/e2e/crash-points.sh). Compiled only into test
 * builds (MODE=test defines TETHER_TEST_HOOKS); in a release build every function is empty.
 *
 * At most one point is armed at a time: crash_point_arm reads STATE_DIR/test-crash-point,
 * "NAME" or "NAME HIT" (the HIT-th crossing from then on, from 1; 1 when not given), and removes
 * the file, so that the agent started again after the crash runs through. The daemon looks at
 * start and at every tick of its loop, so a test arms the agent it has without restarting it. The names and what each one
 * falls between are the table in common/crash_point.c (docs/configuration.md). */
#pragma once

#include "common/error.h"

#define CRASH_POINT_FILE "test-crash-point"

#ifdef TETHER_TEST_HOOKS
/* Arm the point STATE_DIR/test-crash-point names, if there is one: 0 when armed or when there
 * is no file, -EINVAL naming the point or the hit when the file names none of the table. */
int crash_point_arm(const char *state_dir, struct error *err);
/* The point NAME is crossed now: the agent dies here when it is the armed crossing. */
void crash_point(const char *name);
/* The point NAME is crossed now, but what it stands after is a write of the state database
 * that waits for the loop's group commit: the agent dies right after that commit succeeded
 * (crash_point_committed), before anything that waited for it is sent. */
void crash_point_after_commit(const char *name);
/* The group commit succeeded (agent/daemon/daemon.c). */
void crash_point_committed(void);
#else
static inline int crash_point_arm(const char *state_dir, struct error *err)
{
	(void)state_dir;
	(void)err;
	return 0;
}
static inline void crash_point(const char *name)
{
	(void)name;
}
static inline void crash_point_after_commit(const char *name)
{
	(void)name;
}
static inline void crash_point_committed(void)
{
}
#endif
