/* ECS DescribeTasks and ListTasks. */
#include <errno.h>
#include <string.h>

#include "common/cleanup.h"
#include "hub/api.h"
#include "hub/api_tags.h"
#include "hub/tasks/task_store.h"
#include "hub/tasks/task_view.h"
#include "protocol/arn.h"
#include "protocol/json_value.h"

int ecs_describe_tasks(struct hub_store *s, const cJSON *req, cJSON **ret, struct api_fault *f)
{
	char cluster[256];
	if (api_cluster(s, req, cluster, f) < 0)
		return -EINVAL;
	const cJSON *list;
	bool want_tags;
	if (api_describe_list(req, "tasks", "tasks", true, &list, f) < 0 ||
	    api_include_tags(req, "", &want_tags, f) < 0)
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
		if (t && want_tags)
			api_tags_add(s, t, cJSON_GetStringValue(cJSON_GetObjectItem(t, "taskArn")));
		if (t)
			cJSON_AddItemToArray(tasks, t);
		else
			api_add_failure(failures, item->valuestring, "MISSING");
	}
	*ret = o;
	return 0;
}

struct list_arns {
	const char *cluster;
	cJSON *arns;
};

static void add_task_arn(const char *task_id, void *data)
{
	struct list_arns *to = data;
	_cleanup_free_ char *arn = arn_task(to->cluster, task_id);
	cJSON_AddItemToArray(to->arns, cJSON_CreateString(arn ? arn : ""));
}

int ecs_list_tasks(struct hub_store *s, const cJSON *req, cJSON **ret, struct api_fault *f)
{
	char cluster[256];
	const char *desired, *instance, *family, *started_by;
	if (api_cluster(s, req, cluster, f) < 0 ||
	    api_opt_string(req, "desiredStatus", &desired, f) < 0 ||
	    api_opt_string(req, "containerInstance", &instance, f) < 0 ||
	    api_opt_string(req, "family", &family, f) < 0 ||
	    api_opt_string(req, "startedBy", &started_by, f) < 0 ||
	    api_check_max_results(req, f) < 0)
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
	_cleanup_(cjson_deletep) cJSON *o = cJSON_CreateObject();
	struct list_arns to = { cluster, cJSON_AddArrayToObject(o, "taskArns") };
	struct task_store_filter filter = { .cluster = cluster, .desired_status = desired,
					    .instance_id = instance_id, .family = family,
					    .started_by = started_by };
	if (task_store_list(s, &filter, add_task_arn, &to, &err) < 0)
		return api_store_fail(f, &err);
	if (api_page(req, o, "taskArns", f) < 0)
		return -EINVAL;
	*ret = TAKE_PTR(o);
	return 0;
}
