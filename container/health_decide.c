#include "container/health_decide.h"

bool health_decide(struct health_state *s, uint32_t retries, bool in_start_period, bool passed)
{
	enum container_health before = s->status;
	if (passed) {
		s->status = CONTAINER_HEALTH_HEALTHY;
		s->failures = 0;
		s->start_period_over = true;
		return s->status != before;
	}
	if (in_start_period && !s->start_period_over)
		return false;
	if (s->failures < UINT32_MAX)
		s->failures++;
	if (s->failures >= retries)
		s->status = CONTAINER_HEALTH_UNHEALTHY;
	return s->status != before;
}
