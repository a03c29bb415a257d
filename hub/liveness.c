#include "hub/liveness.h"

enum liveness_action liveness_check(int64_t now, int64_t last_heard, int64_t last_ping)
{
	int64_t silent = now - last_heard;
	if (silent >= LIVENESS_HANG_UP_AFTER_US)
		return LIVENESS_HANG_UP;
	/* One ping per silent spell, again only if that one went unanswered for as long. */
	if (silent >= LIVENESS_PING_AFTER_US &&
	    (last_ping < last_heard || now - last_ping >= LIVENESS_PING_AFTER_US))
		return LIVENESS_PING;
	return LIVENESS_OK;
}

bool liveness_hello_overdue(int64_t now, int64_t opened)
{
	return now - opened >= LIVENESS_HELLO_WITHIN_US;
}
