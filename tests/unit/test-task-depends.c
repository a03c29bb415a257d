/* The start decision of dependsOn for one dependency (agent/tasks/task_depends.h), as a pure
 * function of what is known of it, and the reasons a container gives up with. */
#include <stdlib.h>

#include "agent/tasks/task_depends.h"
#include "common/cleanup.h"
#include "tests/unit/test.h"

#define NOW 100000

static const struct depends_fact not_started = { 0 };
static const struct depends_fact running = { .started = true, .started_at_ms = NOW - 500 };
static const struct depends_fact never_ran = { .ended = true };

static struct depends_fact exited(int code)
{
	return (struct depends_fact){ .started = true, .ended = true, .has_exit_code = true,
				      .exit_code = code, .started_at_ms = NOW - 500 };
}

TEST(depends_start_waits_for_the_pid)
{
	ASSERT_INT_EQ(depends_judge(TASKDEF_CONDITION_START, &not_started, NOW), DEPENDS_WAIT);
	ASSERT_INT_EQ(depends_judge(TASKDEF_CONDITION_START, &running, NOW), DEPENDS_MET);
	/* A dependency that ran and ended did start. */
	struct depends_fact e = exited(1);
	ASSERT_INT_EQ(depends_judge(TASKDEF_CONDITION_START, &e, NOW), DEPENDS_MET);
	ASSERT_INT_EQ(depends_judge(TASKDEF_CONDITION_START, &never_ran, NOW), DEPENDS_NEVER);
}

TEST(depends_complete_waits_for_any_exit)
{
	ASSERT_INT_EQ(depends_judge(TASKDEF_CONDITION_COMPLETE, &not_started, NOW), DEPENDS_WAIT);
	ASSERT_INT_EQ(depends_judge(TASKDEF_CONDITION_COMPLETE, &running, NOW), DEPENDS_WAIT);
	struct depends_fact ok = exited(0), failed = exited(7);
	ASSERT_INT_EQ(depends_judge(TASKDEF_CONDITION_COMPLETE, &ok, NOW), DEPENDS_MET);
	ASSERT_INT_EQ(depends_judge(TASKDEF_CONDITION_COMPLETE, &failed, NOW), DEPENDS_MET);
	ASSERT_INT_EQ(depends_judge(TASKDEF_CONDITION_COMPLETE, &never_ran, NOW), DEPENDS_NEVER);
}

TEST(depends_success_needs_exit_zero)
{
	struct depends_fact ok = exited(0), failed = exited(3);
	ASSERT_INT_EQ(depends_judge(TASKDEF_CONDITION_SUCCESS, &running, NOW), DEPENDS_WAIT);
	ASSERT_INT_EQ(depends_judge(TASKDEF_CONDITION_SUCCESS, &ok, NOW), DEPENDS_MET);
	ASSERT_INT_EQ(depends_judge(TASKDEF_CONDITION_SUCCESS, &failed, NOW), DEPENDS_NEVER);
	/* Ended with no exit code known (its monitor was lost): not a success. */
	struct depends_fact lost = { .started = true, .ended = true };
	ASSERT_INT_EQ(depends_judge(TASKDEF_CONDITION_SUCCESS, &lost, NOW), DEPENDS_NEVER);
	ASSERT_INT_EQ(depends_judge(TASKDEF_CONDITION_SUCCESS, &never_ran, NOW), DEPENDS_NEVER);
}

TEST(depends_healthy_reads_the_health)
{
	struct depends_fact d = running;
	ASSERT_INT_EQ(depends_judge(TASKDEF_CONDITION_HEALTHY, &d, NOW), DEPENDS_WAIT);
	d.health = CONTAINER_HEALTH_UNHEALTHY;
	ASSERT_INT_EQ(depends_judge(TASKDEF_CONDITION_HEALTHY, &d, NOW), DEPENDS_WAIT);
	d.health = CONTAINER_HEALTH_HEALTHY;
	ASSERT_INT_EQ(depends_judge(TASKDEF_CONDITION_HEALTHY, &d, NOW), DEPENDS_MET);
	/* Healthy is of a running container: once it exited it never will be. */
	struct depends_fact e = exited(0);
	e.health = CONTAINER_HEALTH_HEALTHY;
	ASSERT_INT_EQ(depends_judge(TASKDEF_CONDITION_HEALTHY, &e, NOW), DEPENDS_NEVER);
	ASSERT_INT_EQ(depends_judge(TASKDEF_CONDITION_HEALTHY, &never_ran, NOW), DEPENDS_NEVER);
}

TEST(depends_start_timeout_counts_from_the_dependency_start)
{
	struct depends_fact d = running;
	d.start_timeout_s = 2;
	d.started_at_ms = NOW - 1999;
	ASSERT_INT_EQ(depends_judge(TASKDEF_CONDITION_COMPLETE, &d, NOW), DEPENDS_WAIT);
	d.started_at_ms = NOW - 2000;
	ASSERT_INT_EQ(depends_judge(TASKDEF_CONDITION_COMPLETE, &d, NOW), DEPENDS_TIMED_OUT);
	ASSERT_INT_EQ(depends_judge(TASKDEF_CONDITION_SUCCESS, &d, NOW), DEPENDS_TIMED_OUT);
	ASSERT_INT_EQ(depends_judge(TASKDEF_CONDITION_HEALTHY, &d, NOW), DEPENDS_TIMED_OUT);
	/* START is met by a running dependency, whatever the time. */
	ASSERT_INT_EQ(depends_judge(TASKDEF_CONDITION_START, &d, NOW), DEPENDS_MET);
	/* Met in time is met, even when looked at late. */
	d.health = CONTAINER_HEALTH_HEALTHY;
	ASSERT_INT_EQ(depends_judge(TASKDEF_CONDITION_HEALTHY, &d, NOW), DEPENDS_MET);
	/* Not started yet: its clock has not begun. */
	struct depends_fact waiting = { .start_timeout_s = 2 };
	ASSERT_INT_EQ(depends_judge(TASKDEF_CONDITION_COMPLETE, &waiting, NOW), DEPENDS_WAIT);
	/* Without startTimeout there is no limit. */
	struct depends_fact unlimited = running;
	unlimited.started_at_ms = 0;
	ASSERT_INT_EQ(depends_judge(TASKDEF_CONDITION_COMPLETE, &unlimited, NOW), DEPENDS_WAIT);
}

TEST(depends_reasons_name_dependency_and_condition)
{
	struct depends_fact failed = exited(3);
	_cleanup_free_ char *a = depends_reason("init", TASKDEF_CONDITION_SUCCESS, &failed,
						 DEPENDS_NEVER);
	ASSERT_STR_EQ(a, "CannotStartContainerError: dependsOn init SUCCESS: init exited with code 3 "
			 "(dependency did not exit successfully)");
	struct depends_fact slow = running;
	slow.start_timeout_s = 5;
	_cleanup_free_ char *b = depends_reason("db", TASKDEF_CONDITION_COMPLETE, &slow,
						 DEPENDS_TIMED_OUT);
	ASSERT_STR_EQ(b, "CannotStartContainerError: dependsOn db COMPLETE: db did not reach COMPLETE "
			 "within its startTimeout of 5 s (dependency timed out)");
	_cleanup_free_ char *c = depends_reason("a", TASKDEF_CONDITION_START, &never_ran,
						 DEPENDS_NEVER);
	ASSERT_STR_EQ(c, "CannotStartContainerError: dependsOn a START: a never started (dependency "
			 "will never start)");
	struct depends_fact gone = exited(0);
	_cleanup_free_ char *d = depends_reason("web", TASKDEF_CONDITION_HEALTHY, &gone,
						 DEPENDS_NEVER);
	ASSERT_STR_EQ(d, "CannotStartContainerError: dependsOn web HEALTHY: web exited before it was "
			 "HEALTHY");
}
