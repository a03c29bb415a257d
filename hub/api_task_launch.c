#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/cleanup.h"
#include "hub/api_tags.h"
#include "hub/api_task_launch.h"
#include "hub/tag_store.h"
#include "hub/taskdef_store.h"
#include "hub/tasks/task_launch.h"
#include "hub/tasks/task_store.h"
#include "protocol/json_value.h"
#include "protocol/taskdef_overrides.h"

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

/* propagateTags and enableECSManagedTags. */
static int read_tag_members(const cJSON *req, struct run_plan *p, struct api_fault *f)
{
	const char *propagate;
	if (api_tags_member(req, "tags", &p->tags, f) < 0 ||
	    api_opt_string(req, "propagateTags", &propagate, f) < 0)
		return -EINVAL;
	if (propagate && strcmp(propagate, "TASK_DEFINITION") && strcmp(propagate, "NONE")) {
		if (strcmp(propagate, "SERVICE") == 0)
			return api_fail(f, "InvalidParameterException",
					"propagateTags SERVICE is for the tasks of a service; a task"
					" started alone takes TASK_DEFINITION or NONE");
		return api_fail(f, "InvalidParameterException",
				"propagateTags must be TASK_DEFINITION, SERVICE or NONE");
	}
	p->tags_from_taskdef = propagate && strcmp(propagate, "TASK_DEFINITION") == 0;
	const cJSON *managed = cJSON_GetObjectItemCaseSensitive(req, "enableECSManagedTags");
	if (managed && !cJSON_IsNull(managed) && !cJSON_IsBool(managed))
		return api_fail(f, "InvalidParameterException", "enableECSManagedTags must be a boolean");
	p->managed_tags = cJSON_IsTrue(managed);
	return 0;
}

void run_plan_storage_release(struct run_plan_storage *st)
{
	free(st->body);
	free(st->overrides);
	taskdef_free(st->td);
	*st = (struct run_plan_storage){ 0 };
}

/* The definition as the task runs it: the stored one with the request's overrides merged;
 * st->body becomes the merged text, for the assignment. */
static int apply_overrides(const cJSON *overrides, struct run_plan_storage *st,
			   struct api_fault *f)
{
	struct error err = { 0 };
	if (taskdef_parse(st->body, strlen(st->body), &st->td, &err) < 0)
		return api_fail(f, "ServerException", "stored task definition: %s", err.message);
	if (!overrides || json_value_asks_nothing(overrides))
		return 0;
	_cleanup_(cjson_deletep) cJSON *def = cJSON_Parse(st->body);
	if (!def)
		return api_fail(f, "ServerException", "out of memory");
	if (taskdef_apply_overrides(def, overrides, &err) < 0)
		return api_fail(f, "InvalidParameterException", "%s; nothing was done", err.message);
	_cleanup_free_ char *body = cJSON_PrintUnformatted(def);
	st->overrides = cJSON_PrintUnformatted(overrides);
	if (!body || !st->overrides)
		return api_fail(f, "ServerException", "out of memory");
	taskdef_free(TAKE_PTR(st->td));
	if (taskdef_parse(body, strlen(body), &st->td, &err) < 0)
		return api_fail(f, "InvalidParameterException",
				"overrides: the task definition with them is not valid: %s",
				err.message);
	free(st->body);
	st->body = TAKE_PTR(body);
	return 0;
}

int run_plan_read(struct hub_store *s, const cJSON *req, const char *cluster, struct run_plan *p,
		  struct run_plan_storage *st, struct api_fault *f)
{
	const char *ref;
	*p = (struct run_plan){ .cluster = cluster };
	if (api_opt_string(req, "taskDefinition", &ref, f) < 0 ||
	    api_opt_string(req, "startedBy", &p->started_by, f) < 0 ||
	    api_opt_string(req, "group", &p->group, f) < 0 || check_started_by(p->started_by, f) < 0 ||
	    check_group(p->group, f) < 0 || read_tag_members(req, p, f) < 0)
		return -EINVAL;
	if (!ref)
		return api_fail(f, "InvalidParameterException", "taskDefinition is required");
	if (taskdef_store_lookup(s, ref, p->family, &p->revision, &st->body, f) < 0 ||
	    taskdef_store_refuse_inactive(s, p->family, p->revision, f) < 0 ||
	    apply_overrides(cJSON_GetObjectItemCaseSensitive(req, "overrides"), st, f) < 0)
		return -EINVAL;
	p->body = st->body;
	p->td = st->td;
	p->overrides = st->overrides;
	return 0;
}

/* The definition's tags first (propagateTags), the request's over them, then ECS's own. */
static int tag_task(struct hub_store *s, const struct run_plan *p, const char *task_arn,
		    struct error *err)
{
	if (p->tags_from_taskdef) {
		_cleanup_free_ char *td_arn = arn_task_definition(p->family, p->revision);
		if (!td_arn || tag_store_copy(s, td_arn, task_arn, err) < 0)
			return td_arn ? -EIO : error_set(err, ENOMEM, "out of memory");
	}
	if (p->tags && tag_store_put(s, task_arn, p->tags, err) < 0)
		return error_wrap(err, "tags");
	if (p->managed_tags && tag_store_put_one(s, task_arn, "aws:ecs:clusterName", p->cluster, err) < 0)
		return -EIO;
	return 0;
}

int run_plan_launch_one(struct hub_store *s, const struct run_plan *p, const char *placed_on,
			char task_id[HUB_ID_HEX + 1], const char **ret_reason, struct error *err)
{
	struct task_launch l = { .cluster = p->cluster, .family = p->family, .body = p->body,
				 .revision = p->revision, .td = p->td, .started_by = p->started_by,
				 .group = p->group, .client_token = p->client_token,
				 .overrides = p->overrides };
	int r = task_launch_one(s, &l, placed_on, task_id, ret_reason, err);
	if (r != 0)
		return r;
	_cleanup_free_ char *arn = arn_task(p->cluster, task_id);
	if (!arn)
		return error_set(err, ENOMEM, "out of memory");
	if (tag_task(s, p, arn, err) < 0)
		return err->code == EINVAL ? -EINVAL : -EIO;
	return 0;
}

int run_plan_launch_fault(int r, const struct error *err, struct api_fault *f)
{
	if (r == -EINVAL)
		return api_fail(f, "InvalidParameterException", "%s", err->message);
	return api_store_fail(f, err);
}
