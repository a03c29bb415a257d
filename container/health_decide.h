/* What one health check's result does to a container's health, as ECS (and Docker) decide
 * it: UNKNOWN until a check decides; a success makes it HEALTHY; failures inside the start
 * period do not count, and a success inside it ends the period at once; after it, RETRIES
 * failures in a row make it UNHEALTHY; one success makes it HEALTHY again. Pure: the monitor
 * feeds it each result, the unit tests feed it sequences. */
#pragma once

#include <stdbool.h>
#include <stdint.h>

#include "container/health_status.h"

struct health_state {
	enum container_health status;
	uint32_t failures;       /* failures in a row that counted (after the start period) */
	bool start_period_over;  /* ended by a success even while its time runs */
};

/* Apply one check's result. IN_START_PERIOD: the check began before startPeriod seconds had
 * passed since the container started. Returns true when the status changed. */
bool health_decide(struct health_state *s, uint32_t retries, bool in_start_period, bool passed);
