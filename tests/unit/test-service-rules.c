/* The service scheduler's decisions: how many tasks one pass starts and stops within
 * maximumPercent and minimumHealthyPercent, and the circuit breaker's threshold. */
#include "hub/services/service_rules.h"
#include "tests/unit/test.h"

static struct roll_plan plan(long long desired, long long max, long long min, long long ph,
			     long long pw, long long oh, long long ow)
{
	struct roll_counts c = { .desired = desired, .max_percent = max, .min_percent = min,
				 .primary_healthy = ph, .primary_waiting = pw, .old_healthy = oh,
				 .old_waiting = ow, .may_start = 1 };
	return roll_plan_of(&c);
}

TEST(service_rules_new_service_starts_all)
{
	struct roll_plan p = plan(3, 200, 100, 0, 0, 0, 0);
	ASSERT_INT_EQ(p.start, 3);
	ASSERT_INT_EQ(p.stop_primary + p.stop_old_healthy + p.stop_old_waiting, 0);
}

TEST(service_rules_steady_does_nothing)
{
	struct roll_plan p = plan(3, 200, 100, 3, 0, 0, 0);
	ASSERT_INT_EQ(p.start, 0);
	ASSERT_INT_EQ(p.stop_primary + p.stop_old_healthy + p.stop_old_waiting, 0);
}

TEST(service_rules_replaces_a_stopped_task)
{
	ASSERT_INT_EQ(plan(3, 200, 100, 2, 0, 0, 0).start, 1);
	/* A task still starting counts: nothing more is started for it. */
	ASSERT_INT_EQ(plan(3, 200, 100, 2, 1, 0, 0).start, 0);
}

TEST(service_rules_scale_down_sheds_waiting_first)
{
	struct roll_plan p = plan(2, 200, 100, 2, 2, 0, 0);
	ASSERT_INT_EQ(p.stop_primary, 2);
	ASSERT_INT_EQ(p.start, 0);
	p = plan(1, 200, 100, 3, 0, 0, 0);
	ASSERT_INT_EQ(p.stop_primary, 2);
}

/* min 50 / max 200 over 4: at least 2 healthy, at most 8 running or pending. */
TEST(service_rules_roll_within_50_200)
{
	struct roll_plan p = plan(4, 200, 50, 0, 0, 4, 0);
	ASSERT_INT_EQ(p.stop_old_healthy, 2);
	ASSERT_INT_EQ(p.start, 4);
	/* Two new ones healthy, two waiting, two old left: the old ones may go. */
	p = plan(4, 200, 50, 2, 2, 2, 0);
	ASSERT_INT_EQ(p.stop_old_healthy, 2);
	ASSERT_INT_EQ(p.start, 0);
	/* Nothing healthy among the new ones yet: the two old stay. */
	p = plan(4, 200, 50, 0, 4, 2, 0);
	ASSERT_INT_EQ(p.stop_old_healthy, 0);
}

/* min 100 / max 200: a new task first, an old one stopped only when a new one is healthy. */
TEST(service_rules_roll_within_100_200)
{
	struct roll_plan p = plan(2, 200, 100, 0, 0, 2, 0);
	ASSERT_INT_EQ(p.stop_old_healthy, 0);
	ASSERT_INT_EQ(p.start, 2);
	p = plan(2, 200, 100, 1, 1, 2, 0);
	ASSERT_INT_EQ(p.stop_old_healthy, 1);
	ASSERT_INT_EQ(p.start, 0);
}

/* max 100: room is made before anything starts. */
TEST(service_rules_roll_within_0_100)
{
	struct roll_plan p = plan(2, 100, 0, 0, 0, 2, 0);
	ASSERT_INT_EQ(p.stop_old_healthy, 2);
	ASSERT_INT_EQ(p.start, 2);
	p = plan(2, 100, 50, 0, 0, 2, 0);
	ASSERT_INT_EQ(p.stop_old_healthy, 1);
	ASSERT_INT_EQ(p.start, 1);
}

TEST(service_rules_old_waiting_tasks_always_go)
{
	struct roll_plan p = plan(2, 200, 100, 0, 0, 0, 2);
	ASSERT_INT_EQ(p.stop_old_waiting, 2);
	ASSERT_INT_EQ(p.start, 2);
}

TEST(service_rules_failed_deployment_starts_nothing)
{
	struct roll_counts c = { .desired = 3, .max_percent = 200, .min_percent = 100,
				 .old_healthy = 3 };
	struct roll_plan p = roll_plan_of(&c);
	ASSERT_INT_EQ(p.start, 0);
	ASSERT_INT_EQ(p.stop_old_healthy, 0);
}

TEST(service_rules_breaker_threshold)
{
	ASSERT_INT_EQ(breaker_threshold(1), 3);
	ASSERT_INT_EQ(breaker_threshold(2), 3);
	ASSERT_INT_EQ(breaker_threshold(7), 4);
	ASSERT_INT_EQ(breaker_threshold(10), 5);
	ASSERT_INT_EQ(breaker_threshold(400), 200);
	ASSERT_INT_EQ(breaker_threshold(10000), 200);
}
