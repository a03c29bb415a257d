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

/* As taskdef_store_describe, with the revision's registeredAt, status (ACTIVE or INACTIVE) and
 * deregisteredAt as stored. */
cJSON *taskdef_store_describe_revision(struct hub_store *s, const char *family, long long revision,
				       const char *body);

/* New tasks cannot use an INACTIVE (deregistered) revision, as ECS: a ClientException. Tasks
 * already running keep running. */
int taskdef_store_refuse_inactive(struct hub_store *s, const char *family, long long revision,
				  struct api_fault *f);
