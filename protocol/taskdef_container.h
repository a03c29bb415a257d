/* One entry of containerDefinitions (protocol/taskdef.h holds the model). */
#pragma once

#include <cjson/cJSON.h>

#include "common/error.h"
#include "protocol/taskdef.h"

#define TASKDEF_MAX_NAME 255              /* family and container names */
#define TASKDEF_MAX_IMAGE 1024
#define TASKDEF_MAX_ARGS 256              /* command and entryPoint items */
#define TASKDEF_MAX_ARG 8192              /* bytes per item */
#define TASKDEF_MAX_ENVIRONMENT 512
#define TASKDEF_MAX_ENV_NAME 255
#define TASKDEF_MAX_ENV_VALUE 8192
#define TASKDEF_MAX_PATH 4096             /* workingDirectory */
#define TASKDEF_MAX_USER 255
#define TASKDEF_MAX_HOSTNAME 63
#define TASKDEF_MAX_CONTAINER_CPU 262144  /* the largest cpu share Linux accepts, as ECS */

/* True when s is 1..TASKDEF_MAX_NAME of [A-Za-z0-9_-]. */
bool taskdef_name_is_valid(const char *s);

/* Parse one container at path ("containerDefinitions[0]"); on error c holds what was parsed
 * so far and the caller releases it. */
int taskdef_container_from_json(const cJSON *json, const char *path, struct taskdef_container *c,
				struct error *err);

void taskdef_container_release(struct taskdef_container *c);
