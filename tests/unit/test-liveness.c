/* The liveness clock both ends of the link keep: a ping after a heartbeat period (20 s by
 * default) of silence, one per silent spell, and the connection dropped after three periods. */
#include "protocol/liveness.h"
#include "tests/unit/test.h"

#define S 1000000LL

static const struct liveness_policy *default_policy(void)
{
	static struct liveness_policy p;
	p = liveness_policy_of(LIVENESS_DEFAULT_HEARTBEAT_SECONDS);
	return &p;
}

TEST(liveness_quiet_link_is_left_alone)
{
	ASSERT_INT_EQ(liveness_check(default_policy(), 100 * S, 100 * S, 0), LIVENESS_OK);
	ASSERT_INT_EQ(liveness_check(default_policy(), 119 * S, 100 * S, 0), LIVENESS_OK);
}

TEST(liveness_pings_after_20_s_once)
{
	const struct liveness_policy *p = default_policy();
	ASSERT_INT_EQ(liveness_check(p, 120 * S, 100 * S, 0), LIVENESS_PING);
	/* Pinged at 120 s: no second ping while the answer may still come. */
	ASSERT_INT_EQ(liveness_check(p, 130 * S, 100 * S, 120 * S), LIVENESS_OK);
	/* Heard again after the ping: a new silent spell gets its own ping. */
	ASSERT_INT_EQ(liveness_check(p, 145 * S, 125 * S, 120 * S), LIVENESS_PING);
}

TEST(liveness_unanswered_ping_is_repeated_then_hang_up)
{
	const struct liveness_policy *p = default_policy();
	ASSERT_INT_EQ(liveness_check(p, 140 * S, 100 * S, 120 * S), LIVENESS_PING);
	ASSERT_INT_EQ(liveness_check(p, 160 * S, 100 * S, 140 * S), LIVENESS_HANG_UP);
	ASSERT_INT_EQ(liveness_check(p, 200 * S, 100 * S, 0), LIVENESS_HANG_UP);
}

/* An answered ping every period keeps an idle link up however long it idles. */
TEST(liveness_answered_pings_keep_an_idle_link)
{
	const struct liveness_policy *p = default_policy();
	int64_t heard = 0, pinged = 0;
	for (int64_t now = 0; now < 3600 * S; now += p->check_every_us) {
		enum liveness_action a = liveness_check(p, now, heard, pinged);
		ASSERT_TRUE(a != LIVENESS_HANG_UP);
		if (a == LIVENESS_PING) {
			pinged = now;
			heard = now + 1000; /* the pong, a millisecond later */
		}
	}
}

TEST(liveness_period_scales_and_is_clamped)
{
	struct liveness_policy p = liveness_policy_of(2);
	ASSERT_TRUE(p.ping_after_us == 2 * S && p.hang_up_after_us == 6 * S);
	ASSERT_TRUE(p.check_every_us == 200000);
	ASSERT_TRUE(liveness_policy_of(0).ping_after_us == 1 * S);
	ASSERT_TRUE(liveness_policy_of(100000).ping_after_us == LIVENESS_MAX_HEARTBEAT_SECONDS * S);
	ASSERT_TRUE(liveness_policy_of(20).check_every_us == 2 * S);
}

TEST(liveness_hello_is_due_within_10_s_of_the_open)
{
	ASSERT_TRUE(!liveness_hello_overdue(109 * S, 100 * S));
	ASSERT_TRUE(liveness_hello_overdue(110 * S, 100 * S));
}
