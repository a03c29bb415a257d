/* A container's restartPolicy, as ECS takes it (ContainerRestartPolicy): when enabled, the node
 * restarts the container in place when it exits, unless its exit code is one of
 * ignoredExitCodes or it ran less than restartAttemptPeriod seconds since it started or was last
 * restarted. The decision itself is the agent's (agent/tasks/restart_policy.h). */
#pragma once

#include <stdbool.h>
#include <stdint.h>

#include <cjson/cJSON.h>

#include "common/error.h"

#define TASKDEF_RESTART_MAX_IGNORED 50      /* ignoredExitCodes items, as ECS */
#define TASKDEF_RESTART_MIN_PERIOD 60       /* restartAttemptPeriod, seconds, as ECS */
#define TASKDEF_RESTART_MAX_PERIOD 1800
#define TASKDEF_RESTART_DEFAULT_PERIOD 300
#define TASKDEF_RESTART_MAX_EXIT_CODE 255   /* a Linux exit status; 128+N for signal N */

struct taskdef_restart_policy {
	bool enabled;          /* false without restartPolicy */
	uint8_t ignored_exit_codes[TASKDEF_RESTART_MAX_IGNORED];
	size_t n_ignored_exit_codes;
	uint32_t attempt_period; /* seconds; TASKDEF_RESTART_DEFAULT_PERIOD when not given */
};

/* Parse the restartPolicy object at path ("containerDefinitions[0].restartPolicy"). */
int taskdef_restart_from_json(const cJSON *json, const char *path,
			      struct taskdef_restart_policy *ret, struct error *err);

/* True when CODE is one of the policy's ignoredExitCodes. */
bool taskdef_restart_ignores(const struct taskdef_restart_policy *p, int code);
