/* The signatures the hub has accepted (hub/replay_cache.h): seen again within the window,
 * forgotten after it, and a full table refusing new ones instead of forgetting live ones. */
#include <stdio.h>

#include "hub/replay_cache.h"
#include "tests/unit/test.h"

/* A signature as 64 lowercase hex digits, different for each n. */
static void signature_of(unsigned n, char out[65])
{
	/* Spread n over the first bytes, where the table takes its home slot from. */
	unsigned long long h = (unsigned long long)n * 0x9E3779B97F4A7C15ULL;
	snprintf(out, 65, "%016llx%08x%040x", h, n, 0);
}

TEST(hub_replay_cache_refuses_a_signature_seen_within_its_window)
{
	struct replay_cache *c = replay_cache_new();
	ASSERT_TRUE(c != NULL);
	char sig[65];
	signature_of(1, sig);
	ASSERT_INT_EQ(replay_cache_admit(c, sig, 1000, 700), REPLAY_FRESH);
	ASSERT_INT_EQ(replay_cache_admit(c, sig, 1000, 999), REPLAY_SEEN);
	/* Past the window the request is refused as expired before it gets here; the slot is
	 * free again. */
	ASSERT_INT_EQ(replay_cache_admit(c, sig, 2000, 1000), REPLAY_FRESH);
	signature_of(2, sig);
	ASSERT_INT_EQ(replay_cache_admit(c, sig, 2000, 1000), REPLAY_FRESH);
	replay_cache_free(c);
}

TEST(hub_replay_cache_full_refuses_rather_than_forgets)
{
	struct replay_cache *c = replay_cache_new();
	ASSERT_TRUE(c != NULL);
	char sig[65];
	unsigned live = REPLAY_CACHE_SLOTS / 2;
	for (unsigned i = 0; i < live; i++) {
		signature_of(i, sig);
		ASSERT_INT_EQ(replay_cache_admit(c, sig, 1000, 100), REPLAY_FRESH);
	}
	signature_of(live, sig);
	ASSERT_INT_EQ(replay_cache_admit(c, sig, 1000, 100), REPLAY_FULL);
	/* Every one of them is still remembered. */
	signature_of(0, sig);
	ASSERT_INT_EQ(replay_cache_admit(c, sig, 1000, 500), REPLAY_SEEN);
	signature_of(live - 1, sig);
	ASSERT_INT_EQ(replay_cache_admit(c, sig, 1000, 500), REPLAY_SEEN);
	/* Once their windows are over, the sweep makes room. */
	signature_of(live, sig);
	ASSERT_INT_EQ(replay_cache_admit(c, sig, 2000, 1000), REPLAY_FRESH);
	ASSERT_INT_EQ(replay_cache_admit(c, sig, 2000, 1500), REPLAY_SEEN);
	replay_cache_free(c);
}
