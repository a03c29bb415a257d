/* Tags of the hub's resources (clusters, task definitions, tasks, services, container
 * instances), one row per (resource ARN, key) in table tags. Any ARN is taken: what exists is
 * the API's question (hub/api_ecs_tags.c). The caller owns the transaction. */
#pragma once

#include <cjson/cJSON.h>

#include "hub/store/store.h"

/* Adds or replaces the tags of an ECS tag list already checked (hub/tag_rules.h); fails with
 * -EINVAL when the resource would then have more than TAG_MAX_PER_RESOURCE tags of its own. */
int tag_store_put(struct hub_store *s, const char *arn, const cJSON *tags, struct error *err);
/* Sets one tag (the hub's own, such as aws:ecs:clusterName). */
int tag_store_put_one(struct hub_store *s, const char *arn, const char *key, const char *value,
		      struct error *err);
/* Removes the keys listed (strings); keys the resource lacks are passed by, as ECS does. */
int tag_store_remove(struct hub_store *s, const char *arn, const cJSON *keys, struct error *err);
/* Gives to_arn every tag of from_arn (propagateTags). */
int tag_store_copy(struct hub_store *s, const char *from_arn, const char *to_arn,
		   struct error *err);
/* Forgets every tag of arn. */
int tag_store_forget(struct hub_store *s, const char *arn, struct error *err);
/* The tags of arn as an ECS list [{"key", "value"}], by key; NULL on a store failure. */
cJSON *tag_store_list(struct hub_store *s, const char *arn, struct error *err);
