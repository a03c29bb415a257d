/* SSM DescribeInstanceInformation and DeregisterManagedInstance: the registered nodes as SSM's
 * managed instances (mi-...). Deregistering one revokes its identity as
 * DeregisterContainerInstance --force does (hub/node_deregister.h): SSM does not ask about
 * the node's tasks, which the hub then no longer counts. */
#include <errno.h>
#include <string.h>

#include "common/cleanup.h"
#include "hub/api_ssm_list.h"
#include "hub/node_deregister.h"
#include "protocol/json_value.h"

#define DESCRIBE_INSTANCES_MIN 5 /* SSM's MaxResults bounds */
#define DESCRIBE_INSTANCES_MAX 50

static const struct ssm_filter_key instance_keys[] = {
	{ "InstanceIds", "InstanceId" },     { "PingStatus", "PingStatus" },
	{ "ActivationIds", "ActivationId" }, { "IamRole", "IamRole" },
	{ "AgentVersion", "AgentVersion" },  { "PlatformTypes", "PlatformType" },
	{ "ResourceType", "ResourceType" },
};

static void add_text_or_skip(cJSON *o, const char *name, sqlite3_stmt *st, int col)
{
	if (sqlite3_column_type(st, col) != SQLITE_NULL && col_text(st, col)[0])
		cJSON_AddStringToObject(o, name, col_text(st, col));
}

static cJSON *instance_json(sqlite3_stmt *st)
{
	cJSON *i = cJSON_CreateObject();
	cJSON_AddStringToObject(i, "InstanceId", col_text(st, 0));
	/* A node whose link is down has lost its connection, as SSM says of an agent gone quiet. */
	cJSON_AddStringToObject(i, "PingStatus", sqlite3_column_int(st, 1) ? "Online"
									   : "ConnectionLost");
	if (sqlite3_column_type(st, 2) != SQLITE_NULL)
		cJSON_AddNumberToObject(i, "LastPingDateTime", sqlite3_column_double(st, 2));
	add_text_or_skip(i, "AgentVersion", st, 3);
	cJSON_AddStringToObject(i, "PlatformType", "Linux");
	add_text_or_skip(i, "ActivationId", st, 4);
	add_text_or_skip(i, "IamRole", st, 5);
	cJSON_AddNumberToObject(i, "RegistrationDate", sqlite3_column_double(st, 6));
	cJSON_AddStringToObject(i, "ResourceType", "ManagedInstance");
	add_text_or_skip(i, "Name", st, 7);
	add_text_or_skip(i, "ComputerName", st, 8);
	return i;
}

int ssm_describe_instance_information(struct hub_store *s, const cJSON *req, cJSON **ret,
				      struct api_fault *f)
{
	struct ssm_filters filters = { 0 };
	if (ssm_filters_read(req, "InstanceInformationFilterList", "key", "valueSet",
			     instance_keys, ELEMENTSOF(instance_keys), &filters, f) < 0 ||
	    ssm_filters_read(req, "Filters", "Key", "Values", instance_keys,
			     ELEMENTSOF(instance_keys), &filters, f) < 0)
		return -EINVAL;
	struct error err = { 0 };
	/* A deregistered node is no managed instance any more. */
	_cleanup_stmt_ sqlite3_stmt *st = hub_store_prepare(
		s, "SELECT n.node_id, n.connected, n.last_seen_at, n.agent_version, n.activation_id,"
		   " n.iam_role, n.registered_at, a.default_instance_name, n.hostname FROM nodes n"
		   " LEFT JOIN activations a ON a.id = n.activation_id WHERE n.status != 'INACTIVE'"
		   " ORDER BY n.registered_at, n.node_id", &err);
	if (!st)
		return api_fail(f, "InternalServerError", "%s", err.message);
	_cleanup_(cjson_deletep) cJSON *all = cJSON_CreateArray();
	while (sqlite3_step(st) == SQLITE_ROW) {
		cJSON *i = instance_json(st);
		if (ssm_filters_match(&filters, i))
			cJSON_AddItemToArray(all, i);
		else
			cJSON_Delete(i);
	}
	_cleanup_(cjson_deletep) cJSON *o = cJSON_CreateObject();
	if (ssm_page(req, all, "InstanceId", DESCRIBE_INSTANCES_MIN, DESCRIBE_INSTANCES_MAX, o,
		     "InstanceInformationList", f) < 0)
		return -EINVAL;
	*ret = TAKE_PTR(o);
	return 0;
}

int ssm_deregister_managed_instance(struct hub_store *s, const cJSON *req, cJSON **ret,
				    struct api_fault *f)
{
	const char *id;
	if (api_opt_string(req, "InstanceId", &id, f) < 0)
		return f->type = "InvalidParameters", -EINVAL;
	if (!id)
		return api_fail(f, "InvalidParameters", "InstanceId is required");
	struct error err = { 0 };
	if (hub_store_begin(s, &err) < 0)
		return api_fail(f, "InternalServerError", "%s", err.message);
	_cleanup_stmt_ sqlite3_stmt *st = hub_store_prepare(
		s, "SELECT 1 FROM nodes WHERE node_id = ? AND status != 'INACTIVE'", &err);
	if (!st)
		return api_fail(f, "InternalServerError", "%s", err.message);
	sqlite3_bind_text(st, 1, id, -1, SQLITE_STATIC);
	if (sqlite3_step(st) != SQLITE_ROW)
		return api_fail(f, "InvalidInstanceId",
				"Instance ID %.64s is not valid: no managed instance of this hub", id);
	if (node_deregister(s, id, NODE_LEFT_REASON, &err) < 0 || hub_store_commit(s, &err) < 0)
		return api_fail(f, "InternalServerError", "%s", err.message);
	*ret = cJSON_CreateObject();
	return 0;
}
