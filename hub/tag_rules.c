#include <errno.h>
#include <string.h>

#include "hub/tag_rules.h"

/* ECS allows letters and digits in any script (UTF-8 bytes pass), spaces and these. */
static bool tag_text_is_valid(const char *s)
{
	for (const unsigned char *p = (const unsigned char *)s; *p; p++)
		if (!(*p >= 0x80 || (*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
		      (*p >= '0' && *p <= '9') || strchr(" +-=._:/@", *p)))
			return false;
	return true;
}

bool tag_rules_key_is_reserved(const char *key)
{
	return strncasecmp(key, TAG_RESERVED_PREFIX, strlen(TAG_RESERVED_PREFIX)) == 0;
}

int tag_rules_check_key(const char *key, bool allow_reserved, struct error *err)
{
	size_t n = strlen(key);
	if (n < 1 || n > TAG_KEY_MAX || !tag_text_is_valid(key))
		return error_set(err, EINVAL,
				 "tag key \"%.40s\" must be 1 to %d letters, digits, spaces or + - = . _ : / @",
				 key, TAG_KEY_MAX);
	if (!allow_reserved && tag_rules_key_is_reserved(key))
		return error_set(err, EINVAL,
				 "tag key \"%.40s\": the aws: prefix is reserved for AWS use", key);
	return 0;
}

int tag_rules_check_value(const char *value, struct error *err)
{
	if (strlen(value) > TAG_VALUE_MAX || !tag_text_is_valid(value))
		return error_set(err, EINVAL,
				 "tag value \"%.40s\" must be at most %d letters, digits, spaces or + - = . _ : / @",
				 value, TAG_VALUE_MAX);
	return 0;
}

int tag_rules_check_list(const cJSON *tags, const char *member, bool allow_reserved,
			 struct error *err)
{
	if (!cJSON_IsArray(tags))
		return error_set(err, EINVAL, "%s must be a list of {key, value}", member);
	if (cJSON_GetArraySize(tags) > TAG_MAX_PER_RESOURCE)
		return error_set(err, EINVAL, "%s: a resource has at most %d tags", member,
				 TAG_MAX_PER_RESOURCE);
	const cJSON *tag;
	cJSON_ArrayForEach(tag, tags)
	{
		const cJSON *key = cJSON_GetObjectItemCaseSensitive(tag, "key");
		const cJSON *value = cJSON_GetObjectItemCaseSensitive(tag, "value");
		if (!cJSON_IsObject(tag) || !cJSON_IsString(key) ||
		    (value && !cJSON_IsNull(value) && !cJSON_IsString(value)))
			return error_set(err, EINVAL, "%s must be a list of {key, value} with string members",
					 member);
		const cJSON *m;
		cJSON_ArrayForEach(m, tag)
		{
			if (strcmp(m->string, "key") && strcmp(m->string, "value"))
				return error_set(err, EINVAL, "%s: a tag has only key and value, not %.40s",
						 member, m->string);
		}
		if (tag_rules_check_key(key->valuestring, allow_reserved, err) < 0 ||
		    (cJSON_IsString(value) && tag_rules_check_value(value->valuestring, err) < 0))
			return error_wrap(err, "%s", member);
	}
	return 0;
}

int tag_rules_check_keys(const cJSON *keys, const char *member, struct error *err)
{
	if (!cJSON_IsArray(keys))
		return error_set(err, EINVAL, "%s must be a list of tag keys", member);
	const cJSON *key;
	cJSON_ArrayForEach(key, keys)
	{
		if (!cJSON_IsString(key))
			return error_set(err, EINVAL, "%s must be a list of strings", member);
		if (tag_rules_check_key(key->valuestring, false, err) < 0)
			return error_wrap(err, "%s", member);
	}
	return 0;
}
