#include "hub/services/service_rules.h"

static long long clamp(long long v, long long lo, long long hi)
{
	return v < lo ? lo : v > hi ? hi : v;
}

struct roll_plan roll_plan_of(const struct roll_counts *c)
{
	struct roll_plan p = { 0 };
	long long min_healthy = (c->desired * c->min_percent + 99) / 100;
	long long max_total = c->desired * c->max_percent / 100;
	/* Above the desired count the primary deployment sheds waiting tasks first: a scale
	 * down does not wait for health. */
	long long primary = c->primary_healthy + c->primary_waiting;
	p.stop_primary = primary > c->desired ? primary - c->desired : 0;
	long long shed_waiting = p.stop_primary < c->primary_waiting ? p.stop_primary
								       : c->primary_waiting;
	long long primary_healthy = c->primary_healthy - (p.stop_primary - shed_waiting);
	long long primary_waiting = c->primary_waiting - shed_waiting;
	/* Old tasks not yet healthy hold nothing up; healthy ones go while enough stay healthy. */
	p.stop_old_waiting = c->old_waiting;
	p.stop_old_healthy =
		clamp(primary_healthy + c->old_healthy - min_healthy, 0, c->old_healthy);
	long long alive = primary_healthy + primary_waiting + c->old_healthy - p.stop_old_healthy;
	if (c->may_start)
		p.start = clamp(c->desired - primary_healthy - primary_waiting, 0,
				clamp(max_total - alive, 0, c->desired));
	return p;
}

long long breaker_threshold(long long desired)
{
	return clamp((desired + 1) / 2, 3, 200);
}
