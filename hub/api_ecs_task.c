/* ECS RunTask and StopTask: tasks are placed, stored and their frames queued for the node in
 * one transaction, so an assignment is never lost between the answer and the agent. */
#include <errno.h>
#include <stdbool.h>
#include <string.h>

#include "common/cleanup.h"
#include "hub/api.h"
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

/* ECS: up to 128 letters, digits, '-', '_' and '/'. */
static int check_started_by(const char *started_by, struct api_fault *f)
{
	if (!started_by)
		return 0;
	size_t n = strlen(started_by);
	if (n < 1 || n > 128 || strspn(started_by, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
						"0123456789-_/") != n)
		return api_fail(f, "InvalidParameterException",
				"startedBy must be 1 to 128 letters, digits, '-', '_' or '/'");
	return 0;
}

/* ECS: up to 255 characters. "service:" names a service's tasks, which only the service
 * scheduler starts. */
static int check_group(const char *group, struct api_fault *f)
{
	if (!group)
		return 0;
	size_t n = strlen(group);
	bool control = false;
	for (size_t i = 0; i < n; i++)
		control = control || (unsigned char)group[i] < 0x20 || group[i] == 0x7f;
	if (n < 1 || n > 255 || control)
		return api_fail(f, "InvalidParameterException",
				"group must be 1 to 255 characters without control characters");
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
	char cluster[256], family[256];
	const char *ref, *launch_type, *started_by, *group, *client_token;
	long long count, revision;
	if (api_cluster(s, req, cluster, f) < 0 || api_opt_string(req, "taskDefinition", &ref, f) < 0 ||
	    api_opt_string(req, "launchType", &launch_type, f) < 0 ||
	    api_opt_int(req, "count", 1, RUN_TASK_MAX_COUNT, 1, &count, f) < 0 ||
	    api_opt_string(req, "startedBy", &started_by, f) < 0 ||
	    api_opt_string(req, "group", &group, f) < 0 || check_started_by(started_by, f) < 0 ||
	    check_group(group, f) < 0 || api_opt_string(req, "clientToken", &client_token, f) < 0)
		return -EINVAL;
	if (client_token && (!client_token[0] || strlen(client_token) > 64))
		return api_fail(f, "InvalidParameterException", "clientToken must be 1 to 64 characters");
	if (!ref)
		return api_fail(f, "InvalidParameterException", "taskDefinition is required");
	if (launch_type && strcmp(launch_type, "EXTERNAL") != 0)
		return api_fail(f, "InvalidParameterException",
				"launchType %s is not supported; use EXTERNAL", launch_type);
	_cleanup_free_ char *body = NULL;
	if (taskdef_store_lookup(s, ref, family, &revision, &body, f) < 0)
		return -EINVAL;
	struct error err = { 0 };
	_cleanup_(taskdef_freep) struct taskdef *td = NULL;
	if (taskdef_parse(body, strlen(body), &td, &err) < 0)
		return api_fail(f, "ServerException", "stored task definition: %s", err.message);

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
	int batch = scheduler_place_batch(s, cluster, taskdef_reserved_cpu(td),
					  taskdef_reserved_memory_mib(td), (size_t)count, nodes, &err);
	if (batch < 0) {
		cJSON_Delete(o);
		return api_store_fail(f, &err);
	}
	struct task_launch plan = { .cluster = cluster, .family = family, .body = body,
				    .revision = revision, .td = td, .started_by = started_by,
				    .group = group, .client_token = client_token };
	int placed = 0;
	for (long long i = 0; i < count; i++) {
		const char *reason = NULL;
		int r = task_launch_one(s, &plan, i < batch ? nodes[i] : NULL, ids[placed], &reason, &err);
		if (r < 0) {
			cJSON_Delete(o);
			return api_store_fail(f, &err);
		}
		if (r > 0) {
			_cleanup_free_ char *carn = arn_cluster(cluster);
			api_add_failure(failures, carn ? carn : "", reason);
		} else {
			placed++;
		}
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
