/* Reconnect delays: doubling, cap, jitter bounds. */
#include "common/backoff.h"
#include "tests/unit/test.h"

TEST(backoff_grows_exponentially_without_jitter)
{
	ASSERT_INT_EQ(backoff_delay_ms(0, 1000, 60000, 0, 12345), 1000);
	ASSERT_INT_EQ(backoff_delay_ms(1, 1000, 60000, 0, 12345), 2000);
	ASSERT_INT_EQ(backoff_delay_ms(2, 1000, 60000, 0, 12345), 4000);
	ASSERT_INT_EQ(backoff_delay_ms(5, 1000, 60000, 0, 12345), 32000);
}

TEST(backoff_is_capped)
{
	ASSERT_INT_EQ(backoff_delay_ms(6, 1000, 60000, 0, 0), 60000);
	ASSERT_INT_EQ(backoff_delay_ms(40, 1000, 60000, 0, 0), 60000);
	ASSERT_INT_EQ(backoff_delay_ms(4000000000u, 1000, 60000, 0, 0), 60000);
}

TEST(backoff_jitter_stays_in_range_and_varies)
{
	uint32_t lowest = UINT32_MAX, highest = 0;
	for (uint32_t rnd = 0; rnd < 100000; rnd += 7) {
		uint32_t d = backoff_delay_ms(3, 1000, 60000, 30, rnd * 2654435761u);
		ASSERT_TRUE(d <= 8000);
		ASSERT_TRUE(d >= 5600);
		if (d < lowest)
			lowest = d;
		if (d > highest)
			highest = d;
	}
	/* Jitter actually spreads agents out. */
	ASSERT_TRUE(highest - lowest > 2000);
	for (uint32_t rnd = 0; rnd < 1000; rnd++)
		ASSERT_TRUE(backoff_delay_ms(30, 1000, 60000, 30, rnd * 40503u) <= 60000);
}
