#include "protocol/liveness.h"

#define US_PER_S 1000000LL

struct liveness_policy liveness_policy_of(unsigned seconds)
{
	if (seconds < 1)
		seconds = 1;
	if (seconds > LIVENESS_MAX_HEARTBEAT_SECONDS)
		seconds = LIVENESS_MAX_HEARTBEAT_SECONDS;
	int64_t period = (int64_t)seconds * US_PER_S;
	int64_t check = period / 10;
	return (struct liveness_policy){
		.ping_after_us = period,
		.hang_up_after_us = period * LIVENESS_HANG_UP_PERIODS,
		.check_every_us = check < 2 * US_PER_S ? check : 2 * US_PER_S,
	};
}

enum liveness_action liveness_check(const struct liveness_policy *p, int64_t now,
				    int64_t last_heard, int64_t last_ping)
{
	int64_t silent = now - last_heard;
	if (silent >= p->hang_up_after_us)
		return LIVENESS_HANG_UP;
	/* One ping per silent spell, again only if that one went unanswered for as long. */
	if (silent >= p->ping_after_us &&
	    (last_ping < last_heard || now - last_ping >= p->ping_after_us))
		return LIVENESS_PING;
	return LIVENESS_OK;
}

bool liveness_hello_overdue(int64_t now, int64_t opened)
{
	return now - opened >= LIVENESS_HELLO_WITHIN_US;
}
