/* Tags in the operator API: the members that carry them (tags, include: ["TAGS"]) and the
 * check that a tagged resource exists. The rows are hub/tag_store.h's. */
#pragma once

#include <stdbool.h>

#include "hub/api.h"

/* req's tags member (an ECS tag list, checked by ECS's rules), NULL when absent. */
int api_tags_member(const cJSON *req, const char *member, const cJSON **ret,
		    struct api_fault *f);
/* Stores tags (checked by api_tags_member) for arn; a resource past 50 tags is refused. */
int api_tags_put(struct hub_store *s, const char *arn, const cJSON *tags, struct api_fault *f);
/* Adds member "tags" with arn's tags to o. */
void api_tags_add(struct hub_store *s, cJSON *o, const char *arn);
/* req's include list: *ret_tags when it holds "TAGS"; any other value not among also_allowed
 * (names separated by spaces, may be "") is refused by name. */
int api_include_tags(const cJSON *req, const char *also_allowed, bool *ret_tags,
		     struct api_fault *f);
/* The resource an ECS ARN names exists (cluster, task-definition, task, container-instance,
 * service), else the fault ECS answers. */
int api_tagged_resource_exists(struct hub_store *s, const char *arn, struct api_fault *f);
