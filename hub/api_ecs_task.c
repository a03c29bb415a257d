/* ECS RunTask and StopTask: tasks are placed, stored and their frames queued for the node in
 * one transaction, so an assignment is never lost between the answer and the agent. */
#include <errno.h>
#include <stdbool.h>
#include <string.h>

#include "common/cleanup.h"
#include "hub/api.h"
#include "hub/api_task_launch.h"
#include "hub/placement/placement_spec.h"
#include "hub/taskdef_store.h"
#include "hub/tasks/scheduler.h"
#include "hub/tasks/task_launch.h"
#include "hub/tasks/task_store.h"
#include "hub/tasks/task_view.h"
#include "protocol/arn.h"
#include "protocol/json_value.h"
#include "protocol/taskdef.h"

#define RUN_TASK_MAX_COUNT SCHEDULER_BATCH_MAX
#define DEFAULT_STOP_REASON "Task stopped by user"

/* ECS applies the definition's constraints and the request's together. */
static int read_placement(const cJSON *req, const struct taskdef *td, struct placement_spec *spec,
			  struct api_fault *f)
{
	struct error err = { 0 };
	if (placement_spec_add_definition(spec, td, &err) < 0 ||
	    placement_spec_add_constraints(
		    spec, cJSON_GetObjectItemCaseSensitive(req, "placementConstraints"), &err) < 0 ||
	    placement_spec_set_strategies(
		    spec, cJSON_GetObjectItemCaseSensitive(req, "placementStrategy"), &err) < 0)
		return api_fail(f, "InvalidParameterException", "%s", err.message);
	return 0;
}

struct earlier_run {
	struct hub_store *s;
	const char *cluster;
	cJSON *tasks;
};

static void add_earlier_task(const char *task_id, void *data)
{
	struct earlier_run *e = data;
	cJSON *t = task_view(e->s, e->cluster, task_id);
	if (t)
		cJSON_AddItemToArray(e->tasks, t);
}

int ecs_run_task(struct hub_store *s, const cJSON *req, cJSON **ret, struct api_fault *f)
{
	char cluster[256];
	const char *launch_type, *client_token;
	long long count;
	struct run_plan plan;
	_cleanup_(run_plan_storage_release) struct run_plan_storage storage = { 0 };
	_cleanup_(placement_spec_release) struct placement_spec spec = { 0 };
	if (api_cluster(s, req, cluster, f) < 0 ||
	    api_opt_string(req, "launchType", &launch_type, f) < 0 ||
	    api_opt_int(req, "count", 1, RUN_TASK_MAX_COUNT, 1, &count, f) < 0 ||
	    api_opt_string(req, "clientToken", &client_token, f) < 0 ||
	    run_plan_read(s, req, cluster, &plan, &storage, f) < 0 ||
	    read_placement(req, plan.td, &spec, f) < 0)
		return -EINVAL;
	plan.client_token = client_token;
	if (client_token && (!client_token[0] || strlen(client_token) > 64))
		return api_fail(f, "InvalidParameterException", "clientToken must be 1 to 64 characters");
	if (launch_type && strcmp(launch_type, "EXTERNAL") != 0)
		return api_fail(f, "InvalidParameterException",
				"launchType %s is not supported; use EXTERNAL", launch_type);
	struct error err = { 0 };
	if (hub_store_begin(s, &err) < 0)
		return api_store_fail(f, &err);
	cJSON *o = cJSON_CreateObject();
	cJSON *tasks = cJSON_AddArrayToObject(o, "tasks");
	cJSON *failures = cJSON_AddArrayToObject(o, "failures");
	/* A retried request (the aws CLI sends a fresh token per call and the same one when it
	 * retries) answers with the tasks the first one started, and starts none. */
	struct earlier_run earlier = { s, cluster, tasks };
	int known = client_token ? task_store_by_client_token(s, cluster, client_token,
							       add_earlier_task, &earlier, &err)
				 : 0;
	if (known != 0) {
		hub_store_rollback(s);
		if (known < 0) {
			cJSON_Delete(o);
			return api_store_fail(f, &err);
		}
		*ret = o;
		return 0;
	}
	char ids[RUN_TASK_MAX_COUNT][HUB_ID_HEX + 1];
	char nodes[RUN_TASK_MAX_COUNT][64];
	const char *reasons[RUN_TASK_MAX_COUNT];
	/* Without a group ECS puts a standalone task in "family:FAMILY". */
	char default_group[sizeof("family:") + sizeof(plan.family)];
	snprintf(default_group, sizeof(default_group), "family:%s", plan.family);
	struct placement_request placement = {
		.cluster = cluster, .cpu = taskdef_reserved_cpu(plan.td),
		.memory = taskdef_reserved_memory_mib(plan.td), .spec = &spec,
		.group = plan.group ? plan.group : default_group
	};
	if (scheduler_place_tasks(s, &placement, (size_t)count, nodes, reasons, &err) < 0) {
		cJSON_Delete(o);
		return api_store_fail(f, &err);
	}
	int placed = 0;
	for (long long i = 0; i < count; i++) {
		if (!nodes[i][0]) {
			_cleanup_free_ char *carn = arn_cluster(cluster);
			api_add_failure(failures, carn ? carn : "", reasons[i]);
			continue;
		}
		const char *reason = NULL;
		int r = run_plan_launch_one(s, &plan, nodes[i], ids[placed], &reason, &err);
		if (r != 0) {
			cJSON_Delete(o);
			return run_plan_launch_fault(r < 0 ? r : -EIO, &err, f);
		}
		placed++;
	}
	if (hub_store_commit(s, &err) < 0) {
		cJSON_Delete(o);
		return api_store_fail(f, &err);
	}
	for (int i = 0; i < placed; i++) {
		cJSON *t = task_view(s, cluster, ids[i]);
		if (t)
			cJSON_AddItemToArray(tasks, t);
	}
	*ret = o;
	return 0;
}

static int stop_task(struct hub_store *s, const char *cluster, const char *task_id,
		     const char *reason, struct api_fault *f)
{
	struct error err = { 0 };
	int r = task_launch_stop(s, cluster, task_id, "UserInitiated", reason, &err);
	if (r < 0)
		return api_store_fail(f, &err);
	if (r > 0)
		return api_fail(f, "InvalidParameterException", "The referenced task was not found.");
	return 0;
}

int ecs_stop_task(struct hub_store *s, const cJSON *req, cJSON **ret, struct api_fault *f)
{
	char cluster[256];
	const char *task, *reason;
	if (api_cluster(s, req, cluster, f) < 0 || api_opt_string(req, "task", &task, f) < 0 ||
	    api_opt_string(req, "reason", &reason, f) < 0)
		return -EINVAL;
	if (!task)
		return api_fail(f, "InvalidParameterException", "task is required");
	const char *id = arn_resource_id(task, "task");
	if (!id)
		return api_fail(f, "InvalidParameterException", "task is not a task id or ARN");
	if (!reason || !reason[0])
		reason = DEFAULT_STOP_REASON;
	if (strlen(reason) > 255)
		return api_fail(f, "InvalidParameterException", "reason is longer than 255 characters");
	struct error err = { 0 };
	if (hub_store_begin(s, &err) < 0)
		return api_store_fail(f, &err);
	if (stop_task(s, cluster, id, reason, f) < 0)
		return -EINVAL;
	if (hub_store_commit(s, &err) < 0)
		return api_store_fail(f, &err);
	*ret = cJSON_CreateObject();
	cJSON_AddItemToObject(*ret, "task", task_view(s, cluster, id));
	return 0;
}
