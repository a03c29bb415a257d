/* The registration's reading of a task definition: as taskdef_from_json, except that one
 * answer names every field tether does not support, at every depth ("unsupported fields:
 * placementConstraints, containerDefinitions[0].links"), and that a field tether lacks whose
 * value asks for nothing (null, false, [], {}, as exported definitions carry them) or a known
 * field that is null is taken as not given. Such members are removed from json, so that the
 * stored text parses with the strict taskdef_parse the agent uses. */
#pragma once

#include <cjson/cJSON.h>

#include "common/error.h"
#include "protocol/taskdef.h"

int taskdef_from_register_json(cJSON *json, struct taskdef **ret, struct error *err);
