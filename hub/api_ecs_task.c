/* ECS RunTask and StopTask: tasks are placed, stored and their frames queued for the node in
 * one transaction, so an assignment is never lost between the answer and the agent. */
#include <errno.h>
#include <stdbool.h>
#include <string.h>

#include "common/cleanup.h"
#include "hub/api.h"
#include "hub/placement/placement_spec.h"
#include "hub/taskdef_store.h"
#include "hub/tasks/outbox.h"
#include "hub/tasks/scheduler.h"
#include "hub/tasks/task_store.h"
#include "hub/tasks/task_view.h"
#include "protocol/arn.h"
#include "protocol/json_value.h"
#include "protocol/taskdef.h"
#include "protocol/taskdef_overrides.h"

#define RUN_TASK_MAX_COUNT SCHEDULER_BATCH_MAX
#define DEFAULT_STOP_REASON "Task stopped by user"

/* What every task of one RunTask shares. */
struct run_plan {
	const char *cluster, *family, *body;
	long long revision;
	const struct taskdef *td;
	const char *started_by, *group, *client_token;
	const char *overrides; /* the request's, as JSON text; NULL: none */
};

/* Store and queue one task on the node placement chose. */
static int run_one(struct hub_store *s, const struct run_plan *p, const char *node_id,
		   char task_id[HUB_ID_HEX + 1], struct error *err)
{
	const char *cluster = p->cluster;
	if (random_hex(task_id, HUB_ID_HEX / 2) < 0)
		return error_set(err, EIO, "no randomness available");
	_cleanup_free_ char *arn = arn_task(cluster, task_id);
	if (!arn)
		return error_set(err, ENOMEM, "out of memory");
	struct task_store_new t = { .id = task_id, .cluster = cluster, .family = p->family,
				    .node_id = node_id, .revision = p->revision, .td = p->td,
				    .started_by = p->started_by, .group = p->group,
				    .client_token = p->client_token, .overrides = p->overrides };
	if (task_store_insert(s, &t, err) < 0 ||
	    outbox_queue_assign(s, node_id, task_id, arn, p->body, err) < 0)
		return -EIO;
	return 0;
}

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

/* ECS applies the definition's constraints and the request's together. */
static int read_placement(const cJSON *req, const struct taskdef *td, struct placement_spec *spec,
			  struct api_fault *f)
{
	struct error err = { 0 };
	for (size_t i = 0; i < td->n_placement_expressions; i++) {
		char path[96];
		snprintf(path, sizeof(path), "the task definition's placementConstraints[%zu]", i);
		if (placement_spec_add_member_of(spec, td->placement_expressions[i], path, &err) < 0)
			return api_fail(f, "InvalidParameterException", "%s", err.message);
	}
	if (placement_spec_add_constraints(
		    spec, cJSON_GetObjectItemCaseSensitive(req, "placementConstraints"), &err) < 0 ||
	    placement_spec_set_strategies(
		    spec, cJSON_GetObjectItemCaseSensitive(req, "placementStrategy"), &err) < 0)
		return api_fail(f, "InvalidParameterException", "%s", err.message);
	return 0;
}

/* The definition as the task runs it: the stored one with the request's overrides merged
 * (protocol/taskdef_overrides.h); *ret_body is its text, for the assignment. */
static int apply_overrides(const char *stored, const cJSON *overrides, char **ret_body,
			   char **ret_overrides, struct taskdef **ret_td, struct api_fault *f)
{
	struct error err = { 0 };
	_cleanup_(taskdef_freep) struct taskdef *td = NULL;
	if (taskdef_parse(stored, strlen(stored), &td, &err) < 0)
		return api_fail(f, "ServerException", "stored task definition: %s", err.message);
	if (!overrides || json_value_asks_nothing(overrides)) {
		*ret_td = TAKE_PTR(td);
		return 0;
	}
	_cleanup_(cjson_deletep) cJSON *def = cJSON_Parse(stored);
	if (!def)
		return api_fail(f, "ServerException", "out of memory");
	if (taskdef_apply_overrides(def, overrides, &err) < 0)
		return api_fail(f, "InvalidParameterException", "%s; nothing was done", err.message);
	_cleanup_free_ char *body = cJSON_PrintUnformatted(def);
	_cleanup_free_ char *text = cJSON_PrintUnformatted(overrides);
	if (!body || !text)
		return api_fail(f, "ServerException", "out of memory");
	taskdef_free(TAKE_PTR(td));
	if (taskdef_parse(body, strlen(body), &td, &err) < 0)
		return api_fail(f, "InvalidParameterException",
				"overrides: the task definition with them is not valid: %s",
				err.message);
	*ret_body = TAKE_PTR(body);
	*ret_overrides = TAKE_PTR(text);
	*ret_td = TAKE_PTR(td);
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
	_cleanup_free_ char *body = NULL, *merged = NULL, *overrides = NULL;
	if (taskdef_store_lookup(s, ref, family, &revision, &body, f) < 0)
		return -EINVAL;
	_cleanup_(taskdef_freep) struct taskdef *td = NULL;
	if (apply_overrides(body, cJSON_GetObjectItemCaseSensitive(req, "overrides"), &merged,
			    &overrides, &td, f) < 0)
		return -EINVAL;
	struct error err = { 0 };
	_cleanup_(placement_spec_release) struct placement_spec spec_storage = { 0 };
	struct placement_spec *spec = &spec_storage;
	if (read_placement(req, td, spec, f) < 0)
		return -EINVAL;

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
	char default_group[sizeof("family:") + sizeof(family)];
	snprintf(default_group, sizeof(default_group), "family:%s", family);
	struct placement_request placement = { .cluster = cluster, .cpu = taskdef_reserved_cpu(td),
					       .memory = taskdef_reserved_memory_mib(td),
					       .spec = spec, .group = group ? group : default_group };
	if (scheduler_place_tasks(s, &placement, (size_t)count, nodes, reasons, &err) < 0) {
		cJSON_Delete(o);
		return api_store_fail(f, &err);
	}
	struct run_plan plan = { .cluster = cluster, .family = family,
				 .body = merged ? merged : body, .revision = revision, .td = td,
				 .started_by = started_by, .group = group,
				 .client_token = client_token, .overrides = overrides };
	int placed = 0;
	for (long long i = 0; i < count; i++) {
		if (!nodes[i][0]) {
			_cleanup_free_ char *carn = arn_cluster(cluster);
			api_add_failure(failures, carn ? carn : "", reasons[i]);
			continue;
		}
		if (run_one(s, &plan, nodes[i], ids[placed], &err) < 0) {
			cJSON_Delete(o);
			return api_store_fail(f, &err);
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
	struct task_store_stop_target t;
	int r = task_store_stop_target(s, cluster, task_id, &t, &err);
	if (r < 0)
		return api_store_fail(f, &err);
	if (r > 0)
		return api_fail(f, "InvalidParameterException", "The referenced task was not found.");
	_cleanup_free_ char *node_id = t.node_id;
	if (t.stopped)
		return 0;
	_cleanup_free_ char *arn = arn_task(cluster, task_id);
	if (!arn)
		return api_fail(f, "ServerException", "out of memory");
	if (task_store_request_stop(s, task_id, reason, &err) < 0)
		return api_store_fail(f, &err);
	/* A task the agent never acknowledged is stopped at once; its assignment is withdrawn. */
	if (!t.delivered && task_store_stop_undelivered(s, task_id, &err) < 0)
		return api_store_fail(f, &err);
	/* An assignment may be on the wire to a connected agent even before its ack. */
	if ((t.delivered || t.connected) &&
	    outbox_queue_stop(s, node_id, task_id, arn, reason, &err) < 0)
		return api_store_fail(f, &err);
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
