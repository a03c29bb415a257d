#include <errno.h>
#include <string.h>

#include "common/cleanup.h"
#include "hub/api_ssm_list.h"
#include "protocol/json_value.h"

int ssm_filters_read(const cJSON *req, const char *member, const char *key_name,
		     const char *values_name, const struct ssm_filter_key *keys, size_t n_keys,
		     struct ssm_filters *out, struct api_fault *f)
{
	const cJSON *list = cJSON_GetObjectItemCaseSensitive(req, member);
	if (!list || cJSON_IsNull(list))
		return 0;
	if (!cJSON_IsArray(list))
		return api_fail(f, "InvalidFilter", "%s must be a list of filters", member);
	const cJSON *item;
	cJSON_ArrayForEach(item, list)
	{
		const cJSON *key = cJSON_GetObjectItemCaseSensitive(item, key_name);
		const cJSON *values = cJSON_GetObjectItemCaseSensitive(item, values_name);
		if (!cJSON_IsString(key) || !cJSON_IsArray(values))
			return api_fail(f, "InvalidFilter", "%s: each filter needs %s and %s", member,
					key_name, values_name);
		const cJSON *v;
		cJSON_ArrayForEach(v, values)
		{
			if (!cJSON_IsString(v))
				return api_fail(f, "InvalidFilterValue", "%s: %s must hold strings",
						member, values_name);
		}
		const struct ssm_filter_key *known = NULL;
		for (size_t i = 0; i < n_keys; i++)
			if (strcmp(keys[i].key, key->valuestring) == 0)
				known = &keys[i];
		if (!known)
			return api_fail(f, "InvalidFilterKey",
					"%s: tether does not implement the filter key %.64s", member,
					key->valuestring);
		if (out->n == SSM_FILTERS_MAX)
			return api_fail(f, "InvalidFilter", "at most %d filters", SSM_FILTERS_MAX);
		out->f[out->n++] = (struct ssm_filter){ known->member, values };
	}
	return 0;
}

bool ssm_filters_match(const struct ssm_filters *fl, const cJSON *item)
{
	for (size_t i = 0; i < fl->n; i++) {
		const char *have = cJSON_GetStringValue(
			cJSON_GetObjectItemCaseSensitive(item, fl->f[i].member));
		bool found = false;
		const cJSON *v;
		cJSON_ArrayForEach(v, fl->f[i].values)
		{
			found = found || (have && strcmp(have, v->valuestring) == 0);
		}
		if (!found)
			return false;
	}
	return true;
}

/* api_page reads ECS's spelling: SSM's members are handed to it under those names. */
int ssm_page(const cJSON *req, cJSON *items, const char *id_member, long long min_results,
	     long long max_results, cJSON *answer, const char *member, struct api_fault *f)
{
	long long max;
	const char *token;
	if (api_opt_int(req, "MaxResults", min_results, max_results, max_results, &max, f) < 0 ||
	    api_opt_string(req, "NextToken", &token, f) < 0)
		return f->type = "InvalidParameters", -EINVAL;
	_cleanup_(cjson_deletep) cJSON *ecs_req = cJSON_CreateObject();
	_cleanup_(cjson_deletep) cJSON *ids = cJSON_CreateObject();
	cJSON *arr = cJSON_AddArrayToObject(ids, "ids");
	cJSON_AddNumberToObject(ecs_req, "maxResults", (double)max);
	if (token)
		cJSON_AddStringToObject(ecs_req, "nextToken", token);
	const cJSON *item;
	cJSON_ArrayForEach(item, items)
	{
		const char *id = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(item, id_member));
		cJSON_AddItemToArray(arr, cJSON_CreateString(id ? id : ""));
	}
	if (api_page(ecs_req, ids, "ids", f) < 0)
		return f->type = "InvalidNextToken", -EINVAL;
	cJSON *page = cJSON_AddArrayToObject(answer, member);
	/* The page's ids are consecutive items: the first is found, then as many follow. */
	const cJSON *first = cJSON_GetArrayItem(arr, 0);
	int n = cJSON_GetArraySize(arr), i = 0, start = -1;
	cJSON_ArrayForEach(item, items)
	{
		const char *id = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(item, id_member));
		if (start < 0 && first && id && strcmp(id, first->valuestring) == 0)
			start = i;
		i++;
	}
	for (int k = 0; start >= 0 && k < n; k++)
		cJSON_AddItemToArray(page, cJSON_DetachItemFromArray(items, start));
	const cJSON *next = cJSON_GetObjectItemCaseSensitive(ids, "nextToken");
	if (next)
		cJSON_AddStringToObject(answer, "NextToken", next->valuestring);
	return 0;
}
