/* ECS PutAttributes, DeleteAttributes and ListAttributes: the operator's attributes of
 * container instances (hub/placement/node_attributes.h), which memberOf constraints and
 * instance filters select on. */
#include <errno.h>
#include <string.h>

#include "common/cleanup.h"
#include "hub/api.h"
#include "hub/node_deregister.h"
#include "hub/placement/node_attributes.h"
#include "protocol/arn.h"
#include "protocol/attribute.h"
#include "protocol/json_value.h"

#define TARGET_TYPE "container-instance"

/* One attribute of a Put or Delete request, checked, with the node it names. */
struct attribute_item {
	const char *name, *value, *target;
	char node_id[64];
};

static int check_item(struct hub_store *s, const char *cluster, const cJSON *item, bool deleting,
		      struct attribute_item *a, struct api_fault *f)
{
	if (!cJSON_IsObject(item))
		return api_fail(f, "InvalidParameterException", "attributes must be a list of objects");
	const char *type;
	if (api_refuse_unknown_members(item, "attributes", "name value targetType targetId", f) < 0 ||
	    api_opt_string(item, "name", &a->name, f) < 0 ||
	    api_opt_string(item, "value", &a->value, f) < 0 ||
	    api_opt_string(item, "targetType", &type, f) < 0 ||
	    api_opt_string(item, "targetId", &a->target, f) < 0)
		return -EINVAL;
	if (!a->name || !attribute_name_is_valid(a->name))
		return api_fail(f, "InvalidParameterException",
				"attribute name must be 1 to %d letters, digits, '-', '_', '.', '/'"
				" or '@'", ATTRIBUTE_TEXT_MAX);
	if (attribute_name_is_builtin(a->name))
		return api_fail(f, "InvalidParameterException",
				"attribute %s is reported by the node's agent and cannot be %s; names"
				" starting with ecs. or tether. are reserved", a->name,
				deleting ? "deleted" : "set");
	if (a->value && !attribute_value_is_valid(a->value))
		return api_fail(f, "InvalidParameterException",
				"attribute %s: value must be at most %d letters, digits, spaces, '-',"
				" '_', '.', '/', '@', '\\' or ':', not starting or ending with a space",
				a->name, ATTRIBUTE_TEXT_MAX);
	if (a->value && !a->value[0])
		a->value = NULL;
	if (type && strcmp(type, TARGET_TYPE) != 0)
		return api_fail(f, "InvalidParameterException",
				"attribute %s: targetType must be " TARGET_TYPE, a->name);
	const char *id = a->target ? arn_resource_id(a->target, "container-instance") : NULL;
	if (!id)
		return api_fail(f, "InvalidParameterException",
				"attribute %s: targetId must name a container instance", a->name);
	char status[NODE_STATUS_MAX];
	struct error err = { 0 };
	int r = node_find_instance(s, cluster, id, a->node_id, status, &err);
	if (r < 0)
		return api_store_fail(f, &err);
	if (r > 0)
		return api_fail(f, "TargetNotFoundException", "Could not find the target %s.",
				a->target);
	return 0;
}

/* The attributes member of a Put or Delete request, checked and resolved into items[]. */
static int read_items(struct hub_store *s, const cJSON *req, const char *cluster, bool deleting,
		      struct attribute_item items[ATTRIBUTE_CUSTOM_MAX], size_t *ret_n,
		      struct api_fault *f)
{
	const cJSON *list = cJSON_GetObjectItemCaseSensitive(req, "attributes");
	if (!cJSON_IsArray(list) || !list->child)
		return api_fail(f, "InvalidParameterException", "attributes is required");
	if (cJSON_GetArraySize(list) > ATTRIBUTE_CUSTOM_MAX)
		return api_fail(f, "InvalidParameterException",
				"attributes can have at most %d items", ATTRIBUTE_CUSTOM_MAX);
	size_t n = 0;
	const cJSON *item;
	cJSON_ArrayForEach(item, list)
	{
		items[n] = (struct attribute_item){ 0 };
		if (check_item(s, cluster, item, deleting, &items[n], f) < 0)
			return -EINVAL;
		n++;
	}
	*ret_n = n;
	return 0;
}

static cJSON *item_view(const struct attribute_item *a)
{
	cJSON *o = cJSON_CreateObject();
	cJSON_AddStringToObject(o, "name", a->name);
	if (a->value)
		cJSON_AddStringToObject(o, "value", a->value);
	cJSON_AddStringToObject(o, "targetType", TARGET_TYPE);
	cJSON_AddStringToObject(o, "targetId", a->target);
	return o;
}

static int change_attributes(struct hub_store *s, const cJSON *req, bool deleting, cJSON **ret,
			     struct api_fault *f)
{
	char cluster[256];
	struct attribute_item items[ATTRIBUTE_CUSTOM_MAX];
	size_t n = 0;
	if (api_cluster(s, req, cluster, f) < 0 ||
	    read_items(s, req, cluster, deleting, items, &n, f) < 0)
		return -EINVAL;
	struct error err = { 0 };
	if (hub_store_begin(s, &err) < 0)
		return api_store_fail(f, &err);
	for (size_t i = 0; i < n; i++) {
		int r = deleting ? node_attributes_delete(s, items[i].node_id, items[i].name, &err)
				 : node_attributes_put(s, items[i].node_id, items[i].name,
						       items[i].value, &err);
		if (r < 0)
			return api_store_fail(f, &err);
	}
	for (size_t i = 0; !deleting && i < n; i++) {
		long long count = node_attributes_count(s, items[i].node_id, &err);
		if (count < 0)
			return api_store_fail(f, &err);
		if (count > ATTRIBUTE_CUSTOM_MAX)
			return api_fail(f, "AttributeLimitExceededException",
					"You can apply up to %d custom attributes for each resource;"
					" %s would have %lld.", ATTRIBUTE_CUSTOM_MAX,
					items[i].target, count);
	}
	if (hub_store_commit(s, &err) < 0)
		return api_store_fail(f, &err);
	cJSON *o = cJSON_CreateObject();
	cJSON *list = cJSON_AddArrayToObject(o, "attributes");
	for (size_t i = 0; i < n; i++)
		cJSON_AddItemToArray(list, item_view(&items[i]));
	*ret = o;
	return 0;
}

int ecs_put_attributes(struct hub_store *s, const cJSON *req, cJSON **ret, struct api_fault *f)
{
	return change_attributes(s, req, false, ret, f);
}

int ecs_delete_attributes(struct hub_store *s, const cJSON *req, cJSON **ret,
			  struct api_fault *f)
{
	return change_attributes(s, req, true, ret, f);
}

/* Appends the attributes of one instance that pass the name and value filters. */
static void add_instance_attributes(cJSON *out, const char *arn, const struct node_attributes *a,
				    const char *name, const char *value)
{
	_cleanup_(cjson_deletep) cJSON *all = node_attributes_view(a);
	const cJSON *item;
	cJSON_ArrayForEach(item, all)
	{
		const char *n = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(item, "name"));
		const char *v = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(item, "value"));
		if ((name && strcmp(n, name) != 0) || (value && (!v || strcmp(v, value) != 0)))
			continue;
		cJSON *o = cJSON_Duplicate(item, true);
		cJSON_AddStringToObject(o, "targetType", TARGET_TYPE);
		cJSON_AddStringToObject(o, "targetId", arn);
		cJSON_AddItemToArray(out, o);
	}
}

int ecs_list_attributes(struct hub_store *s, const cJSON *req, cJSON **ret, struct api_fault *f)
{
	char cluster[256];
	const char *type, *name, *value;
	if (api_cluster(s, req, cluster, f) < 0 || api_opt_string(req, "targetType", &type, f) < 0 ||
	    api_opt_string(req, "attributeName", &name, f) < 0 ||
	    api_opt_string(req, "attributeValue", &value, f) < 0 || api_check_max_results(req, f) < 0)
		return -EINVAL;
	if (!type || strcmp(type, TARGET_TYPE) != 0)
		return api_fail(f, "InvalidParameterException", "targetType must be " TARGET_TYPE);
	if (value && !name)
		return api_fail(f, "InvalidParameterException",
				"attributeValue can be given only with attributeName");
	struct error err = { 0 };
	_cleanup_stmt_ sqlite3_stmt *st = hub_store_prepare(
		s, "SELECT n.instance_id, n.attributes, " NODE_ATTRIBUTES_CUSTOM_SQL
		   " FROM nodes n WHERE n.cluster = ? AND n.status != 'INACTIVE'"
		   " ORDER BY n.registered_at, n.instance_id", &err);
	if (!st)
		return api_store_fail(f, &err);
	sqlite3_bind_text(st, 1, cluster, -1, SQLITE_STATIC);
	cJSON *o = cJSON_CreateObject();
	cJSON *list = cJSON_AddArrayToObject(o, "attributes");
	while (sqlite3_step(st) == SQLITE_ROW) {
		_cleanup_free_ char *arn = arn_container_instance(cluster, col_text(st, 0));
		struct node_attributes a;
		node_attributes_read(&a, col_text(st, 1), col_text(st, 2));
		add_instance_attributes(list, arn ? arn : "", &a, name, value);
		node_attributes_release(&a);
	}
	if (api_page(req, o, "attributes", f) < 0) {
		cJSON_Delete(o);
		return -EINVAL;
	}
	*ret = o;
	return 0;
}
