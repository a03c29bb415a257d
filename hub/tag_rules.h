/* ECS's rules for resource tags, kept apart from the store so that they are tested alone. */
#pragma once

#include <stdbool.h>

#include <cjson/cJSON.h>

#include "common/error.h"

#define TAG_MAX_PER_RESOURCE 50 /* not counting the reserved aws: tags, as ECS */
#define TAG_KEY_MAX 128
#define TAG_VALUE_MAX 256
/* Keys ECS keeps for itself (aws:ecs:clusterName, ...): an operator cannot set or remove them. */
#define TAG_RESERVED_PREFIX "aws:"

/* A key: 1-128 characters of letters, digits, spaces and + - = . _ : / @ (UTF-8 letters
 * allowed); reserved keys only when allow_reserved (tags the hub sets itself). */
int tag_rules_check_key(const char *key, bool allow_reserved, struct error *err);
/* A value: 0-256 of the same characters. */
int tag_rules_check_value(const char *value, struct error *err);
/* An ECS tag list, [{"key": K, "value": V}, ...] in member (named in the error), each tag
 * checked, at most TAG_MAX_PER_RESOURCE of them. */
int tag_rules_check_list(const cJSON *tags, const char *member, bool allow_reserved,
			 struct error *err);
/* A list of keys (UntagResource's tagKeys). */
int tag_rules_check_keys(const cJSON *keys, const char *member, struct error *err);
bool tag_rules_key_is_reserved(const char *key);
