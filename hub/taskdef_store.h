/* Registered task definitions: families with revisions 1, 2, ... holding the definition JSON
 * as the operator sent it (minus API-only keys). */
#pragma once

#include <cjson/cJSON.h>

#include "hub/api.h"

/* Resolve "family", "family:rev" or a task definition ARN to (family, revision) and the
 * stored body (caller frees). The latest revision when none is given. */
int taskdef_store_lookup(struct hub_store *s, const char *ref, char family[256],
			 long long *ret_revision, char **ret_body, struct api_fault *f);

/* The ECS taskDefinition object for a stored body. */
cJSON *taskdef_store_describe(const char *family, long long revision, const char *body,
			      double registered_at);
