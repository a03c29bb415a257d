#include <stdbool.h>
#include <stdio.h>

#include "hub/link_stats.h"

static const char *const names[LINK_END_COUNT] = {
	[LINK_END_UNKNOWN] = "socket",
	[LINK_END_PEER_CLOSE] = "agent_close",
	[LINK_END_HELLO_TIMEOUT] = "hello_timeout",
	[LINK_END_AUTH] = "auth",
	[LINK_END_REPLACED] = "replaced",
	[LINK_END_SILENT] = "silent",
	[LINK_END_WRITE_FAILED] = "write_failed",
	[LINK_END_OTHER] = "other",
};

const char *link_end_name(enum link_end e)
{
	return e < LINK_END_COUNT ? names[e] : "?";
}

/* "name=count ..." for each cause whose count grew, into buf ("" when none did). */
static void format_ends(char *buf, size_t size, const uint64_t *now, const uint64_t *last)
{
	size_t len = 0;
	buf[0] = '\0';
	for (int e = 0; e < LINK_END_COUNT && len < size; e++) {
		uint64_t d = now[e] - last[e];
		if (!d)
			continue;
		int n = snprintf(buf + len, size - len, "%s%s=%llu", len ? " " : "", names[e],
				 (unsigned long long)d);
		len += n > 0 ? (size_t)n : 0;
	}
}

void link_stats_summary(const struct link_stats *now, struct link_stats *last, char *buf,
			size_t size)
{
	buf[0] = '\0';
	uint64_t ended = 0, ended_last = 0;
	for (int e = 0; e < LINK_END_COUNT; e++) {
		ended += now->ended[e];
		ended_last += last->ended[e];
	}
	if (now->opened != last->opened || now->welcomed != last->welcomed || ended != ended_last) {
		char all[256], welcomed[256];
		format_ends(all, sizeof(all), now->ended, last->ended);
		format_ends(welcomed, sizeof(welcomed), now->ended_welcomed, last->ended_welcomed);
		snprintf(buf, size, "links: %zu open, %zu welcomed; since last: %llu opened,"
			 " %llu welcomed, %llu ended%s%s%s%s%s",
			 now->open, now->welcomed_open,
			 (unsigned long long)(now->opened - last->opened),
			 (unsigned long long)(now->welcomed - last->welcomed),
			 (unsigned long long)(ended - ended_last), all[0] ? " (" : "", all,
			 all[0] ? ")" : "", welcomed[0] ? "; of welcomed links: " : "", welcomed);
	}
	*last = *now;
}
