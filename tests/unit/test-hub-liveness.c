/* The hub's liveness clock: a ping after 20 s of silence, one per silent spell, and the
 * connection dropped after 60 s. */
#include "hub/liveness.h"
#include "tests/unit/test.h"

#define S 1000000LL

TEST(hub_liveness_quiet_link_is_left_alone)
{
	ASSERT_INT_EQ(liveness_check(100 * S, 100 * S, 0), LIVENESS_OK);
	ASSERT_INT_EQ(liveness_check(119 * S, 100 * S, 0), LIVENESS_OK);
}

TEST(hub_liveness_pings_after_20_s_once)
{
	ASSERT_INT_EQ(liveness_check(120 * S, 100 * S, 0), LIVENESS_PING);
	/* Pinged at 120 s: no second ping while the answer may still come. */
	ASSERT_INT_EQ(liveness_check(130 * S, 100 * S, 120 * S), LIVENESS_OK);
	/* Heard again after the ping: a new silent spell gets its own ping. */
	ASSERT_INT_EQ(liveness_check(145 * S, 125 * S, 120 * S), LIVENESS_PING);
}

TEST(hub_liveness_unanswered_ping_is_repeated_then_hang_up)
{
	ASSERT_INT_EQ(liveness_check(140 * S, 100 * S, 120 * S), LIVENESS_PING);
	ASSERT_INT_EQ(liveness_check(160 * S, 100 * S, 140 * S), LIVENESS_HANG_UP);
	ASSERT_INT_EQ(liveness_check(200 * S, 100 * S, 0), LIVENESS_HANG_UP);
}

TEST(hub_liveness_hello_is_due_within_10_s_of_the_open)
{
	ASSERT_TRUE(!liveness_hello_overdue(109 * S, 100 * S));
	ASSERT_TRUE(liveness_hello_overdue(110 * S, 100 * S));
}
