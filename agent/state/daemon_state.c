#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "agent/state/daemon_state.h"
#include "common/cleanup.h"

static void set_state(struct store *s, const char *state)
{
	_cleanup_free_ char *old = NULL;
	store_meta_get(s, META_CONNECTION, &old, NULL);
	/* "since" marks the change of state, not each repeated failure. */
	if (old && !strcmp(old, state))
		return;
	char now[32];
	snprintf(now, sizeof(now), "%" PRId64, (int64_t)time(NULL));
	store_meta_set(s, META_CONNECTION, state, NULL);
	store_meta_set(s, META_CONNECTION_SINCE, now, NULL);
}

void daemon_state_connected(struct store *s, const char *connect_url)
{
	set_state(s, "connected");
	store_meta_set(s, META_HUB_URL, connect_url, NULL);
}

void daemon_state_disconnected(struct store *s, const char *why)
{
	set_state(s, "disconnected");
	store_meta_set(s, META_LAST_ERROR, why, NULL);
}
