/* A container's healthCheck, as ECS takes it: a command run inside the container every
 * interval seconds, which must end with status 0 within timeout seconds; retries failures in a
 * row after startPeriod make the container UNHEALTHY (container/health_decide.h). */
#pragma once

#include <stdbool.h>
#include <stdint.h>

#include <cjson/cJSON.h>

#include "common/error.h"

#define TASKDEF_HEALTH_DEFAULT_INTERVAL 30 /* seconds, as ECS */
#define TASKDEF_HEALTH_MIN_INTERVAL 5
#define TASKDEF_HEALTH_MAX_INTERVAL 300
#define TASKDEF_HEALTH_DEFAULT_TIMEOUT 5
#define TASKDEF_HEALTH_MIN_TIMEOUT 2
#define TASKDEF_HEALTH_MAX_TIMEOUT 120
#define TASKDEF_HEALTH_DEFAULT_RETRIES 3
#define TASKDEF_HEALTH_MIN_RETRIES 1
#define TASKDEF_HEALTH_MAX_RETRIES 10
#define TASKDEF_HEALTH_MAX_START_PERIOD 300
#define TASKDEF_HEALTH_MAX_ARGS 256   /* command items, "CMD" or "CMD-SHELL" included */

struct taskdef_health_check {
	/* What to exec: ["CMD", a, b] gives {a, b}; ["CMD-SHELL", s] gives {"/bin/sh", "-c", s}.
	 * NULL-terminated; NULL when the container has no healthCheck. */
	char **argv;
	uint32_t interval;     /* seconds */
	uint32_t timeout;      /* seconds */
	uint32_t retries;
	uint32_t start_period; /* seconds */
};

/* Parse the healthCheck object at path; on error hc holds what was parsed so far and the
 * caller releases it. */
int taskdef_health_from_json(const cJSON *json, const char *path,
			     struct taskdef_health_check *hc, struct error *err);

void taskdef_health_release(struct taskdef_health_check *hc);
