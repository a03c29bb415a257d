/* ECS StartTask: one task on each container instance named, where the operator chose rather
 * than the scheduler. Launched as RunTask launches (hub/api_task_launch.h). */
#include <errno.h>
#include <string.h>

#include "common/cleanup.h"
#include "hub/api.h"
#include "hub/api_task_launch.h"
#include "hub/node_deregister.h"
#include "hub/tasks/instance_fit.h"
#include "hub/tasks/task_view.h"
#include "protocol/arn.h"
#include "protocol/json_value.h"

#define START_TASK_MAX_INSTANCES 10 /* as ECS */

/* Launches plan on the instance item names, or adds why not to failures. */
static int start_on(struct hub_store *s, const struct run_plan *plan, const cJSON *item,
		    cJSON *failures, char task_id[HUB_ID_HEX + 1], struct api_fault *f)
{
	const char *id = arn_resource_id(item->valuestring, "container-instance");
	char node_id[64], status[NODE_STATUS_MAX];
	struct error err = { 0 };
	int r = id ? node_find_instance(s, plan->cluster, id, node_id, status, &err) : 1;
	if (r < 0)
		return api_store_fail(f, &err);
	if (r > 0) {
		api_add_failure(failures, item->valuestring, "MISSING");
		return 1;
	}
	_cleanup_free_ char *arn = arn_container_instance(plan->cluster, id);
	const char *reason = NULL;
	r = instance_fit(s, node_id, taskdef_reserved_cpu(plan->td),
			 taskdef_reserved_memory_mib(plan->td), &reason, &err);
	if (r == 0)
		r = run_plan_launch_one(s, plan, node_id, task_id, &reason, &err);
	if (r < 0)
		return run_plan_launch_fault(r, &err, f);
	if (r > 0)
		api_add_failure(failures, arn ? arn : item->valuestring, reason);
	return r;
}

int ecs_start_task(struct hub_store *s, const cJSON *req, cJSON **ret, struct api_fault *f)
{
	char cluster[256];
	struct run_plan plan;
	_cleanup_(run_plan_storage_release) struct run_plan_storage storage = { 0 };
	const cJSON *instances = cJSON_GetObjectItemCaseSensitive(req, "containerInstances");
	if (api_cluster(s, req, cluster, f) < 0)
		return -EINVAL;
	if (!cJSON_IsArray(instances) || !instances->child)
		return api_fail(f, "InvalidParameterException",
				"containerInstances must be a list of 1 to %d container instances",
				START_TASK_MAX_INSTANCES);
	if (cJSON_GetArraySize(instances) > START_TASK_MAX_INSTANCES)
		return api_fail(f, "InvalidParameterException",
				"containerInstances can have at most %d items.",
				START_TASK_MAX_INSTANCES);
	const cJSON *item;
	cJSON_ArrayForEach(item, instances)
	{
		if (!cJSON_IsString(item))
			return api_fail(f, "InvalidParameterException",
					"containerInstances must hold strings");
	}
	if (run_plan_read(s, req, cluster, &plan, &storage, f) < 0)
		return -EINVAL;
	struct error err = { 0 };
	if (hub_store_begin(s, &err) < 0)
		return api_store_fail(f, &err);
	_cleanup_(cjson_deletep) cJSON *o = cJSON_CreateObject();
	cJSON *tasks = cJSON_AddArrayToObject(o, "tasks");
	cJSON *failures = cJSON_AddArrayToObject(o, "failures");
	char ids[START_TASK_MAX_INSTANCES][HUB_ID_HEX + 1];
	int started = 0;
	cJSON_ArrayForEach(item, instances)
	{
		int r = start_on(s, &plan, item, failures, ids[started], f);
		if (r < 0)
			return -EINVAL;
		if (r == 0)
			started++;
	}
	if (hub_store_commit(s, &err) < 0)
		return api_store_fail(f, &err);
	for (int i = 0; i < started; i++) {
		cJSON *t = task_view(s, cluster, ids[i]);
		if (t)
			cJSON_AddItemToArray(tasks, t);
	}
	*ret = TAKE_PTR(o);
	return 0;
}
