/* Slowing down guesses of activation codes (hub/register_throttle.h). */
#include "hub/register_throttle.h"
#include "tests/unit/test.h"

#define ID "2c1a4f0e-0000-4000-8000-000000000001"

static void fail_n(struct register_throttle *t, const char *id, const char *peer, int n,
		   double now)
{
	for (int i = 0; i < n; i++)
		register_throttle_failed(t, id, peer, now);
}

TEST(hub_register_throttle_blocks_after_five_failures_and_doubles)
{
	struct register_throttle *t = register_throttle_new();
	ASSERT_TRUE(t);
	fail_n(t, ID, "192.0.2.1", 4, 100);
	ASSERT_TRUE(register_throttle_wait(t, ID, "192.0.2.1", 100) == 0);
	ASSERT_TRUE(register_throttle_failed(t, ID, "192.0.2.1", 101) == 60);
	ASSERT_TRUE(register_throttle_wait(t, ID, "192.0.2.1", 101) == 60);
	ASSERT_TRUE(register_throttle_wait(t, ID, "192.0.2.1", 160.5) == 0.5);
	ASSERT_TRUE(register_throttle_wait(t, ID, "192.0.2.1", 161) == 0);
	fail_n(t, ID, "192.0.2.1", 4, 170);
	ASSERT_TRUE(register_throttle_failed(t, ID, "192.0.2.1", 171) == 120);
	fail_n(t, ID, "192.0.2.1", 4, 300);
	ASSERT_TRUE(register_throttle_failed(t, ID, "192.0.2.1", 300) == 240);
	register_throttle_free(t);
}

TEST(hub_register_throttle_counts_per_id_and_per_address)
{
	struct register_throttle *t = register_throttle_new();
	/* Five addresses guess one id: the id is blocked, from anywhere. */
	const char *peers[] = { "192.0.2.1", "192.0.2.2", "192.0.2.3", "192.0.2.4", "192.0.2.5" };
	for (int i = 0; i < 5; i++)
		register_throttle_failed(t, ID, peers[i], 10);
	ASSERT_TRUE(register_throttle_wait(t, ID, "198.51.100.9", 11) > 0);
	ASSERT_TRUE(register_throttle_wait(t, "other", "198.51.100.9", 11) == 0);
	/* One address guesses five ids: the address is blocked, whatever id it names. */
	char id[16];
	for (int i = 0; i < 5; i++) {
		snprintf(id, sizeof(id), "id-%d", i);
		register_throttle_failed(t, id, "203.0.113.7", 20);
	}
	ASSERT_TRUE(register_throttle_wait(t, "fresh", "203.0.113.7", 21) > 0);
	ASSERT_TRUE(register_throttle_wait(t, "", "203.0.113.7", 21) > 0);
	ASSERT_TRUE(register_throttle_wait(t, "fresh", "203.0.113.8", 21) == 0);
	register_throttle_free(t);
}

TEST(hub_register_throttle_window_and_forgetting)
{
	struct register_throttle *t = register_throttle_new();
	fail_n(t, ID, "192.0.2.1", 4, 0);
	fail_n(t, ID, "192.0.2.1", 4, 61); /* a new minute: four again, no block */
	ASSERT_TRUE(register_throttle_wait(t, ID, "192.0.2.1", 62) == 0);
	ASSERT_TRUE(register_throttle_failed(t, ID, "192.0.2.1", 62) == 60);
	/* An hour after the block and its last failure, the next block is the first again. */
	fail_n(t, ID, "192.0.2.1", 4, 5000);
	ASSERT_TRUE(register_throttle_failed(t, ID, "192.0.2.1", 5000) == 60);
	register_throttle_free(t);
}

TEST(hub_register_throttle_ipv6_counts_by_64)
{
	struct register_throttle *t = register_throttle_new();
	char peer[64];
	for (int i = 1; i <= 5; i++) {
		snprintf(peer, sizeof(peer), "2001:db8:1:2::%x", i);
		register_throttle_failed(t, "", peer, 10);
	}
	ASSERT_TRUE(register_throttle_wait(t, "", "2001:db8:1:2:ffff::1", 11) > 0);
	ASSERT_TRUE(register_throttle_wait(t, "", "2001:db8:1:3::1", 11) == 0);
	ASSERT_TRUE(register_throttle_wait(t, "", "::ffff:192.0.2.1", 11) == 0);
	register_throttle_free(t);
}

TEST(hub_register_throttle_flood_keeps_blocks_and_bounds)
{
	struct register_throttle *t = register_throttle_new();
	/* One address guesses one id while a flood of made-up ids from made-up addresses goes
	 * through both tables many times over. */
	char id[32], peer[32];
	for (int i = 0; i < 5 * REGISTER_THROTTLE_SLOTS; i++) {
		snprintf(id, sizeof(id), "flood-%d", i);
		snprintf(peer, sizeof(peer), "10.%d.%d.%d", i >> 16 & 255, i >> 8 & 255, i & 255);
		register_throttle_failed(t, id, peer, 100 + i * 0.001);
		if (i % 1000 == 0)
			register_throttle_failed(t, ID, "192.0.2.1", 100 + i * 0.001);
	}
	ASSERT_TRUE(register_throttle_wait(t, ID, "192.0.2.99", 121) > 0);
	ASSERT_TRUE(register_throttle_wait(t, "x", "192.0.2.1", 121) > 0);
	register_throttle_free(t);
}
