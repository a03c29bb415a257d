/* ECS TagResource, UntagResource, ListTagsForResource and the tags members of other actions. */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "common/cleanup.h"
#include "hub/api_tags.h"
#include "hub/node_deregister.h"
#include "hub/tag_rules.h"
#include "hub/tag_store.h"
#include "hub/taskdef_store.h"
#include "hub/tasks/task_view.h"
#include "protocol/arn.h"
#include "protocol/json_value.h"

int api_tags_member(const cJSON *req, const char *member, const cJSON **ret,
		    struct api_fault *f)
{
	const cJSON *tags = cJSON_GetObjectItemCaseSensitive(req, member);
	*ret = NULL;
	if (!tags || cJSON_IsNull(tags))
		return 0;
	struct error err = { 0 };
	if (tag_rules_check_list(tags, member, false, &err) < 0)
		return api_fail(f, "InvalidParameterException", "%s", err.message);
	*ret = tags;
	return 0;
}

int api_tags_put(struct hub_store *s, const char *arn, const cJSON *tags, struct api_fault *f)
{
	struct error err = { 0 };
	int r = tag_store_put(s, arn, tags, &err);
	if (r == -EINVAL)
		return api_fail(f, "InvalidParameterException", "tags: %s", err.message);
	return r < 0 ? api_store_fail(f, &err) : 0;
}

void api_tags_add(struct hub_store *s, cJSON *o, const char *arn)
{
	cJSON *tags = tag_store_list(s, arn, NULL);
	cJSON_AddItemToObject(o, "tags", tags ? tags : cJSON_CreateArray());
}

static bool word_is_listed(const char *words, const char *word)
{
	size_t n = strlen(word);
	for (const char *w = words; *w;) {
		size_t len = strcspn(w, " ");
		if (len == n && strncmp(w, word, n) == 0)
			return true;
		w += len + strspn(w + len, " ");
	}
	return false;
}

int api_include_tags(const cJSON *req, const char *also_allowed, bool *ret_tags,
		     struct api_fault *f)
{
	const cJSON *include = cJSON_GetObjectItemCaseSensitive(req, "include");
	*ret_tags = false;
	if (!include || cJSON_IsNull(include))
		return 0;
	if (!cJSON_IsArray(include))
		return api_fail(f, "InvalidParameterException", "include must be a list of strings");
	const cJSON *item;
	cJSON_ArrayForEach(item, include)
	{
		if (!cJSON_IsString(item))
			return api_fail(f, "InvalidParameterException",
					"include must be a list of strings");
		if (strcmp(item->valuestring, "TAGS") == 0)
			*ret_tags = true;
		else if (!word_is_listed(also_allowed, item->valuestring))
			return api_fail(f, "InvalidParameterException",
					"include: tether does not implement %.64s; nothing was done",
					item->valuestring);
	}
	return 0;
}

/* "CLUSTER/ID" of a task or container instance ARN, split. */
static bool split_cluster_id(const char *rest, char cluster[256], const char **ret_id)
{
	const char *slash = strchr(rest, '/');
	if (!slash || slash == rest || (size_t)(slash - rest) >= 256 || !slash[1] ||
	    strchr(slash + 1, '/'))
		return false;
	memcpy(cluster, rest, (size_t)(slash - rest));
	cluster[slash - rest] = '\0';
	*ret_id = slash + 1;
	return true;
}

static int not_found(struct api_fault *f)
{
	return api_fail(f, "ResourceNotFoundException", "The specified resource could not be found.");
}

int api_tagged_resource_exists(struct hub_store *s, const char *arn, struct api_fault *f)
{
	size_t plen = strlen(ARN_PREFIX);
	if (strncmp(arn, ARN_PREFIX, plen) != 0)
		return api_fail(f, "InvalidParameterException",
				"resourceArn must be an ECS ARN of this hub (" ARN_PREFIX "...)");
	const char *rest = arn + plen, *id;
	char cluster[256];
	if (strncmp(rest, "cluster/", 8) == 0) {
		_cleanup_(cjson_deletep) cJSON *req = cJSON_CreateObject();
		cJSON_AddStringToObject(req, "cluster", arn);
		return api_cluster(s, req, cluster, f);
	}
	if (strncmp(rest, "task-definition/", 16) == 0) {
		char family[256];
		long long revision;
		_cleanup_free_ char *body = NULL;
		if (!strchr(rest, ':'))
			return not_found(f);
		return taskdef_store_lookup(s, arn, family, &revision, &body, f) < 0 ? not_found(f)
										       : 0;
	}
	if (strncmp(rest, "task/", 5) == 0) {
		if (!split_cluster_id(rest + 5, cluster, &id))
			return not_found(f);
		_cleanup_(cjson_deletep) cJSON *t = task_view(s, cluster, id);
		return t ? 0 : not_found(f);
	}
	if (strncmp(rest, "container-instance/", 19) == 0) {
		char node_id[64], status[NODE_STATUS_MAX];
		struct error err = { 0 };
		if (!split_cluster_id(rest + 19, cluster, &id))
			return not_found(f);
		int r = node_find_instance(s, cluster, id, node_id, status, &err);
		return r < 0 ? api_store_fail(f, &err) : r > 0 ? not_found(f) : 0;
	}
	/* Services (service/CLUSTER/NAME) answer here once the hub keeps them; until then none
	 * exists. */
	return not_found(f);
}

static int resource_arn(struct hub_store *s, const cJSON *req, const char **ret,
			struct api_fault *f)
{
	if (api_opt_string(req, "resourceArn", ret, f) < 0)
		return -EINVAL;
	if (!*ret)
		return api_fail(f, "InvalidParameterException", "resourceArn is required");
	return api_tagged_resource_exists(s, *ret, f);
}

int ecs_tag_resource(struct hub_store *s, const cJSON *req, cJSON **ret, struct api_fault *f)
{
	const char *arn;
	const cJSON *tags;
	if (resource_arn(s, req, &arn, f) < 0 || api_tags_member(req, "tags", &tags, f) < 0)
		return -EINVAL;
	if (!tags)
		return api_fail(f, "InvalidParameterException", "tags is required");
	struct error err = { 0 };
	if (hub_store_begin(s, &err) < 0)
		return api_store_fail(f, &err);
	if (api_tags_put(s, arn, tags, f) < 0)
		return -EINVAL;
	if (hub_store_commit(s, &err) < 0)
		return api_store_fail(f, &err);
	*ret = cJSON_CreateObject();
	return 0;
}

int ecs_untag_resource(struct hub_store *s, const cJSON *req, cJSON **ret, struct api_fault *f)
{
	const char *arn;
	if (resource_arn(s, req, &arn, f) < 0)
		return -EINVAL;
	const cJSON *keys = cJSON_GetObjectItemCaseSensitive(req, "tagKeys");
	struct error err = { 0 };
	if (!keys)
		return api_fail(f, "InvalidParameterException", "tagKeys is required");
	if (tag_rules_check_keys(keys, "tagKeys", &err) < 0)
		return api_fail(f, "InvalidParameterException", "%s", err.message);
	if (hub_store_begin(s, &err) < 0)
		return api_store_fail(f, &err);
	if (tag_store_remove(s, arn, keys, &err) < 0 || hub_store_commit(s, &err) < 0)
		return api_store_fail(f, &err);
	*ret = cJSON_CreateObject();
	return 0;
}

int ecs_list_tags_for_resource(struct hub_store *s, const cJSON *req, cJSON **ret,
			       struct api_fault *f)
{
	const char *arn;
	if (resource_arn(s, req, &arn, f) < 0)
		return -EINVAL;
	*ret = cJSON_CreateObject();
	api_tags_add(s, *ret, arn);
	return 0;
}
