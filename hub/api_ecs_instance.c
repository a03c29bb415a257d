/* ECS ListContainerInstances, DescribeContainerInstances and DeregisterContainerInstance:
 * the registered nodes. */
#include <errno.h>
#include <string.h>

#include "common/cleanup.h"
#include "hub/api.h"
#include "hub/api_ecs_service.h"
#include "hub/node_deregister.h"
#include "hub/node_health.h"
#include "hub/placement/node_attributes.h"
#include "hub/placement/query.h"
#include "hub/tasks/scheduler.h"
#include "hub/tasks/task_store.h"
#include "protocol/arn.h"
#include "protocol/json_value.h"

static cJSON *resources(long long cpu, long long memory)
{
	cJSON *list = cJSON_CreateArray();
	const char *names[2] = { "CPU", "MEMORY" };
	long long values[2] = { cpu, memory };
	for (int i = 0; i < 2; i++) {
		cJSON *r = cJSON_CreateObject();
		cJSON_AddStringToObject(r, "name", names[i]);
		cJSON_AddStringToObject(r, "type", "INTEGER");
		cJSON_AddNumberToObject(r, "integerValue", (double)values[i]);
		cJSON_AddItemToArray(list, r);
	}
	return list;
}

static const char instance_columns[] =
	"SELECT node_id, instance_id, status, connected, cpu, memory, attributes, agent_version,"
	" registered_at, health, " NODE_ATTRIBUTES_CUSTOM_SQL
	" FROM nodes n WHERE cluster = ?1 AND instance_id = ?2";

/* A row of instance_columns. */
static cJSON *instance_view(struct hub_store *s, const char *cluster, sqlite3_stmt *st)
{
	const char *node_id = col_text(st, 0);
	cJSON *o = cJSON_CreateObject();
	_cleanup_free_ char *arn = arn_container_instance(cluster, col_text(st, 1));
	cJSON_AddStringToObject(o, "containerInstanceArn", arn ? arn : "");
	cJSON_AddStringToObject(o, "ec2InstanceId", node_id);
	cJSON_AddStringToObject(o, "status", col_text(st, 2));
	cJSON_AddBoolToObject(o, "agentConnected", sqlite3_column_int(st, 3));
	long long cpu = sqlite3_column_int64(st, 4), mem = sqlite3_column_int64(st, 5);
	long long used_cpu = 0, used_mem = 0;
	scheduler_reserved(s, node_id, &used_cpu, &used_mem);
	cJSON_AddItemToObject(o, "registeredResources", resources(cpu, mem));
	cJSON_AddItemToObject(o, "remainingResources", resources(cpu - used_cpu, mem - used_mem));
	struct node_attributes attrs;
	node_attributes_read(&attrs, col_text(st, 6), col_text(st, 10));
	cJSON_AddItemToObject(o, "attributes", node_attributes_view(&attrs));
	node_attributes_release(&attrs);
	cJSON *version = cJSON_AddObjectToObject(o, "versionInfo");
	cJSON_AddStringToObject(version, "agentVersion", col_text(st, 7));
	cJSON_AddNumberToObject(o, "runningTasksCount", (double)task_store_node_count(s, node_id, "RUNNING"));
	cJSON_AddNumberToObject(o, "pendingTasksCount",
				(double)task_store_node_count(s, node_id, "PROVISIONING PENDING"));
	cJSON_AddNumberToObject(o, "registeredAt", sqlite3_column_double(st, 8));
	node_health_view(col_text(st, 9), sqlite3_column_int(st, 3), o);
	return o;
}

/* ECS's filter takes the statuses an instance can be listed in; INACTIVE is not among them
 * (deregistered instances are found with DescribeContainerInstances). This hub has only ACTIVE
 * and INACTIVE instances, so the other states list nothing. */
static int check_list_status(const char *status, struct api_fault *f)
{
	static const char *const listable[] = { "ACTIVE", "DRAINING", "REGISTERING",
						"DEREGISTERING", "REGISTRATION_FAILED" };
	if (!status)
		return 0;
	for (size_t i = 0; i < ELEMENTSOF(listable); i++)
		if (strcmp(status, listable[i]) == 0)
			return 0;
	return api_fail(f, "InvalidParameterException",
			"status must be one of ACTIVE, DRAINING, REGISTERING, DEREGISTERING,"
			" REGISTRATION_FAILED");
}

/* The instance of a row (instance_id, node_id, attributes, custom attributes) passes the
 * filter, when there is one. */
static bool passes_filter(const struct query *filter, sqlite3_stmt *st)
{
	if (!filter)
		return true;
	struct node_attributes attrs;
	node_attributes_read(&attrs, col_text(st, 2), col_text(st, 3));
	struct query_subject subject = { col_text(st, 1), col_text(st, 0), node_attributes_lookup,
					 &attrs };
	bool match = query_match(filter, &subject);
	node_attributes_release(&attrs);
	return match;
}

static int read_filter(const cJSON *req, struct query **ret, struct api_fault *f)
{
	const char *text;
	*ret = NULL;
	if (api_opt_string(req, "filter", &text, f) < 0)
		return -EINVAL;
	struct error err = { 0 };
	if (text && query_parse(text, ret, &err) < 0)
		return api_fail(f, "InvalidParameterException", "filter: %s", err.message);
	return 0;
}

int ecs_list_container_instances(struct hub_store *s, const cJSON *req, cJSON **ret,
				 struct api_fault *f)
{
	char cluster[256];
	const char *status;
	_cleanup_(query_freep) struct query *filter = NULL;
	if (api_cluster(s, req, cluster, f) < 0 || api_opt_string(req, "status", &status, f) < 0 ||
	    api_check_max_results(req, f) < 0 || check_list_status(status, f) < 0 ||
	    read_filter(req, &filter, f) < 0)
		return -EINVAL;
	struct error err = { 0 };
	/* Without a status ECS lists every instance but the INACTIVE ones. */
	_cleanup_stmt_ sqlite3_stmt *st = hub_store_prepare(
		s, "SELECT instance_id, node_id, attributes, " NODE_ATTRIBUTES_CUSTOM_SQL
		   " FROM nodes n WHERE cluster = ?1"
		   " AND (?2 IS NULL AND status != 'INACTIVE' OR status = ?2)"
		   " ORDER BY registered_at, instance_id", &err);
	if (!st)
		return api_store_fail(f, &err);
	sqlite3_bind_text(st, 1, cluster, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, status, -1, SQLITE_STATIC);
	cJSON *o = cJSON_CreateObject();
	cJSON *arns = cJSON_AddArrayToObject(o, "containerInstanceArns");
	while (sqlite3_step(st) == SQLITE_ROW) {
		if (!passes_filter(filter, st))
			continue;
		_cleanup_free_ char *arn = arn_container_instance(cluster, col_text(st, 0));
		cJSON_AddItemToArray(arns, cJSON_CreateString(arn ? arn : ""));
	}
	if (api_page(req, o, "containerInstanceArns", f) < 0) {
		cJSON_Delete(o);
		return -EINVAL;
	}
	*ret = o;
	return 0;
}

/* The views of the instances list names (in only_status, unless NULL), into instances; those
 * not found go to failures as MISSING when failures is given. */
static int instance_views(struct hub_store *s, const char *cluster, const cJSON *list,
			  cJSON *instances, cJSON *failures, const char *only_status,
			  struct api_fault *f)
{
	struct error err = { 0 };
	_cleanup_stmt_ sqlite3_stmt *st = hub_store_prepare(s, instance_columns, &err);
	if (!st)
		return api_store_fail(f, &err);
	const cJSON *item;
	cJSON_ArrayForEach(item, list)
	{
		const char *id = cJSON_IsString(item)
					 ? arn_resource_id(item->valuestring, "container-instance")
					 : NULL;
		sqlite3_reset(st);
		sqlite3_bind_text(st, 1, cluster, -1, SQLITE_STATIC);
		sqlite3_bind_text(st, 2, id, -1, SQLITE_STATIC);
		if (id && sqlite3_step(st) == SQLITE_ROW) {
			if (!only_status || strcmp(col_text(st, 2), only_status) == 0)
				cJSON_AddItemToArray(instances, instance_view(s, cluster, st));
		}
		else if (failures)
			api_add_failure(failures, cJSON_IsString(item) ? item->valuestring : "",
					"MISSING");
	}
	return 0;
}

int ecs_describe_container_instances(struct hub_store *s, const cJSON *req, cJSON **ret,
				     struct api_fault *f)
{
	char cluster[256];
	if (api_cluster(s, req, cluster, f) < 0)
		return -EINVAL;
	const cJSON *list;
	/* "instanceIds" is the name ECS's own refusal gives the list. */
	if (api_describe_list(req, "containerInstances", "instanceIds", true, &list, f) < 0)
		return -EINVAL;
	cJSON *o = cJSON_CreateObject();
	cJSON *instances = cJSON_AddArrayToObject(o, "containerInstances");
	cJSON *failures = cJSON_AddArrayToObject(o, "failures");
	if (instance_views(s, cluster, list, instances, failures, NULL, f) < 0) {
		cJSON_Delete(o);
		return -EINVAL;
	}
	*ret = o;
	return 0;
}

/* ECS refuses to deregister an instance with tasks unless forced; forced, the tasks are
 * orphaned: they run on, but the hub no longer accounts for them (docs/architecture.md). */
static int deregister_checks(struct hub_store *s, const char *cluster, const char *instance_id,
			     bool force, char node_id[64], struct api_fault *f)
{
	char status[NODE_STATUS_MAX];
	struct error err = { 0 };
	int r = node_find_instance(s, cluster, instance_id, node_id, status, &err);
	if (r < 0)
		return api_store_fail(f, &err);
	if (r > 0)
		return api_fail(f, "InvalidParameterException",
				"The referenced container instance was not found.");
	if (strcmp(status, "INACTIVE") == 0)
		return api_fail(f, "ClientException", "Container instance %s is inactive.",
				instance_id);
	long long tasks = task_store_node_count(s, node_id, "PROVISIONING PENDING RUNNING");
	if (tasks > 0 && !force)
		return api_fail(f, "InvalidParameterException",
				"The container instance has %lld task(s) not yet STOPPED: stop them"
				" first, or deregister with force, which orphans them.", tasks);
	return 0;
}

int ecs_deregister_container_instance(struct hub_store *s, const cJSON *req, cJSON **ret,
				      struct api_fault *f)
{
	char cluster[256], node_id[64];
	const char *ref;
	if (api_cluster(s, req, cluster, f) < 0 ||
	    api_opt_string(req, "containerInstance", &ref, f) < 0)
		return -EINVAL;
	const cJSON *force = cJSON_GetObjectItemCaseSensitive(req, "force");
	if (force && !cJSON_IsBool(force))
		return api_fail(f, "InvalidParameterException", "force must be a boolean");
	if (!ref)
		return api_fail(f, "InvalidParameterException", "containerInstance is required");
	const char *id = arn_resource_id(ref, "container-instance");
	if (!id)
		return api_fail(f, "InvalidParameterException",
				"containerInstance is not a container instance id or ARN");
	struct error err = { 0 };
	if (deregister_checks(s, cluster, id, cJSON_IsTrue(force), node_id, f) < 0)
		return -EINVAL;
	if (hub_store_begin(s, &err) < 0 ||
	    node_deregister(s, node_id, NODE_LEFT_REASON, &err) < 0 ||
	    hub_store_commit(s, &err) < 0)
		return api_store_fail(f, &err);
	_cleanup_stmt_ sqlite3_stmt *st = hub_store_prepare(s, instance_columns, &err);
	if (!st)
		return api_store_fail(f, &err);
	sqlite3_bind_text(st, 1, cluster, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, id, -1, SQLITE_STATIC);
	if (sqlite3_step(st) != SQLITE_ROW)
		return api_fail(f, "ServerException", "the instance vanished after deregistration");
	cJSON *o = cJSON_CreateObject();
	cJSON_AddItemToObject(o, "containerInstance", instance_view(s, cluster, st));
	*ret = o;
	return 0;
}

/* ECS's UpdateContainerInstancesState: DRAINING instances get no new task, and the service
 * scheduler moves their service tasks elsewhere (hub/services/service_reconcile.h); standalone
 * tasks run on. ACTIVE takes them back. */
int ecs_update_container_instances_state(struct hub_store *s, const cJSON *req, cJSON **ret,
					 struct api_fault *f)
{
	char cluster[256];
	const char *status;
	const cJSON *list;
	if (api_cluster(s, req, cluster, f) < 0 || api_opt_string(req, "status", &status, f) < 0 ||
	    api_describe_list(req, "containerInstances", "containerInstances", true, &list, f) < 0)
		return -EINVAL;
	if (!status || (strcmp(status, "ACTIVE") != 0 && strcmp(status, "DRAINING") != 0))
		return api_fail(f, "InvalidParameterException", "status must be ACTIVE or DRAINING");
	struct error err = { 0 };
	if (hub_store_begin(s, &err) < 0)
		return api_store_fail(f, &err);
	cJSON *o = cJSON_CreateObject();
	cJSON *instances = cJSON_AddArrayToObject(o, "containerInstances");
	cJSON *failures = cJSON_AddArrayToObject(o, "failures");
	const cJSON *item;
	cJSON_ArrayForEach(item, list)
	{
		const char *ref = cJSON_IsString(item) ? item->valuestring : "";
		const char *id = arn_resource_id(ref, "container-instance");
		char node_id[64], now[NODE_STATUS_MAX];
		int r = id ? node_find_instance(s, cluster, id, node_id, now, &err) : 1;
		if (r < 0) {
			cJSON_Delete(o);
			return api_store_fail(f, &err);
		}
		if (r > 0 || strcmp(now, "INACTIVE") == 0) {
			api_add_failure(failures, ref, r > 0 ? "MISSING" : "INACTIVE");
			continue;
		}
		if (hub_store_exec_text(s, "UPDATE nodes SET status = ? WHERE node_id = ?", &err, 2,
					status, node_id) < 0) {
			cJSON_Delete(o);
			return api_store_fail(f, &err);
		}
	}
	if (hub_store_commit(s, &err) < 0) {
		cJSON_Delete(o);
		return api_store_fail(f, &err);
	}
	/* Those that failed are in failures already. */
	if (instance_views(s, cluster, list, instances, NULL, status, f) < 0) {
		cJSON_Delete(o);
		return -EINVAL;
	}
	*ret = o;
	return 0;
}
