/* The service scheduler's decisions as pure functions of counts, so that they are tested
 * apart from the store: how many tasks a REPLICA service starts and stops in one pass, and
 * when the deployment circuit breaker trips. */
#pragma once

/* One REPLICA service's tasks still desired RUNNING, as one pass counts them. "healthy": RUNNING
 * and, when the definition has a healthCheck, HEALTHY; "waiting": not yet healthy. Tasks of
 * the PRIMARY deployment on ACTIVE instances are "primary"; the rest (older deployments, or
 * on a DRAINING instance) are "old". */
struct roll_counts {
	long long desired, max_percent, min_percent;
	long long primary_healthy, primary_waiting, old_healthy, old_waiting;
	int may_start; /* 0: the primary deployment failed and starts nothing more */
};

/* What the pass does: start that many primary tasks; stop that many primary tasks above the
 * desired count (waiting ones first), every waiting old task, and that many healthy old ones. */
struct roll_plan {
	long long start, stop_primary, stop_old_waiting, stop_old_healthy;
};

/* maximumPercent bounds running and pending tasks from above (rounded down),
 * minimumHealthyPercent bounds the healthy ones from below (rounded up), as ECS does. */
struct roll_plan roll_plan_of(const struct roll_counts *c);

/* ECS's failed task threshold: half the desired count, at least 3, at most 200. */
long long breaker_threshold(long long desired);
