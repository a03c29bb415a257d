/* ECS DescribeTasks and ListTasks. */
#include <errno.h>
#include <string.h>

#include "common/cleanup.h"
#include "hub/api.h"
#include "hub/arn.h"
#include "hub/task_view.h"

int ecs_describe_tasks(struct hub_store *s, const cJSON *req, cJSON **ret, struct api_fault *f)
{
	char cluster[256];
	if (api_cluster(s, req, cluster, f) < 0)
		return -EINVAL;
	const cJSON *list;
	if (api_describe_list(req, "tasks", "tasks", true, &list, f) < 0)
		return -EINVAL;
	cJSON *o = cJSON_CreateObject();
	cJSON *tasks = cJSON_AddArrayToObject(o, "tasks");
	cJSON *failures = cJSON_AddArrayToObject(o, "failures");
	const cJSON *item;
	cJSON_ArrayForEach(item, list)
	{
		if (!cJSON_IsString(item)) {
			cJSON_Delete(o);
			return api_fail(f, "InvalidParameterException", "tasks must hold strings");
		}
		const char *id = arn_resource_id(item->valuestring, "task");
		cJSON *t = id ? task_view(s, cluster, id) : NULL;
		if (t)
			cJSON_AddItemToArray(tasks, t);
		else
			api_add_failure(failures, item->valuestring, "MISSING");
	}
	*ret = o;
	return 0;
}

int ecs_list_tasks(struct hub_store *s, const cJSON *req, cJSON **ret, struct api_fault *f)
{
	char cluster[256];
	const char *desired, *instance, *family;
	if (api_cluster(s, req, cluster, f) < 0 ||
	    api_opt_string(req, "desiredStatus", &desired, f) < 0 ||
	    api_opt_string(req, "containerInstance", &instance, f) < 0 ||
	    api_opt_string(req, "family", &family, f) < 0 || api_check_max_results(req, f) < 0)
		return -EINVAL;
	if (!desired)
		desired = "RUNNING"; /* as ECS: without a filter, tasks meant to run */
	if (strcmp(desired, "RUNNING") && strcmp(desired, "PENDING") && strcmp(desired, "STOPPED"))
		return api_fail(f, "InvalidParameterException",
				"desiredStatus must be RUNNING, PENDING or STOPPED");
	const char *instance_id = instance ? arn_resource_id(instance, "container-instance") : NULL;
	if (instance && !instance_id)
		return api_fail(f, "InvalidParameterException", "containerInstance is not an ARN or id");
	struct error err = { 0 };
	_cleanup_stmt_ sqlite3_stmt *st = hub_store_prepare(
		s, "SELECT t.id FROM tasks t JOIN nodes n ON n.node_id = t.node_id"
		   " WHERE t.cluster = ?1 AND t.desired_status = ?2"
		   " AND (?3 IS NULL OR n.instance_id = ?3) AND (?4 IS NULL OR t.family = ?4)"
		   " ORDER BY t.created_at, t.id", &err);
	if (!st)
		return api_store_fail(f, &err);
	sqlite3_bind_text(st, 1, cluster, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, desired, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 3, instance_id, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 4, family, -1, SQLITE_STATIC);
	cJSON *o = cJSON_CreateObject();
	cJSON *arns = cJSON_AddArrayToObject(o, "taskArns");
	while (sqlite3_step(st) == SQLITE_ROW) {
		_cleanup_free_ char *arn = arn_task(cluster, col_text(st, 0));
		cJSON_AddItemToArray(arns, cJSON_CreateString(arn ? arn : ""));
	}
	*ret = o;
	return 0;
}
