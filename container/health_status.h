/* A container's health as its healthCheck judges it, with ECS's names. The monitor decides it
 * (it runs the checks) and the agent reports it; dependsOn's HEALTHY condition waits on it. */
#pragma once

enum container_health {
	CONTAINER_HEALTH_UNKNOWN,   /* no check has decided yet (or the container has none) */
	CONTAINER_HEALTH_HEALTHY,
	CONTAINER_HEALTH_UNHEALTHY,
};

static inline const char *container_health_name(enum container_health h)
{
	switch (h) {
	case CONTAINER_HEALTH_HEALTHY:
		return "HEALTHY";
	case CONTAINER_HEALTH_UNHEALTHY:
		return "UNHEALTHY";
	case CONTAINER_HEALTH_UNKNOWN:
		break;
	}
	return "UNKNOWN";
}
