/* config.json's "health_check": the container's healthCheck as its monitor runs it (argv
 * already in exec form, protocol/taskdef_health.h). Absent when the container has none. */
#pragma once

#include <stdbool.h>

#include <cjson/cJSON.h>

#include "protocol/taskdef_health.h"

/* A copy of DEF into *RET (nothing when DEF has no command); -ENOMEM. */
int container_health_resolve(const struct taskdef_health_check *def,
			     struct taskdef_health_check *ret);
/* Adds "health_check" to O when HC has a command; false without memory. */
bool container_health_to_json(const struct taskdef_health_check *hc, cJSON *o);
/* Reads O's "health_check" (absent: none); -EINVAL when malformed. */
int container_health_from_json(const cJSON *o, struct taskdef_health_check *ret);
