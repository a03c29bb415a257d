/* EventBridge's targets of a rule: PutTargets, ListTargetsByRule, RemoveTargets. A target is
 * an ECS cluster and what RunTask takes (EcsParameters); anything else is refused by name. */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "common/cleanup.h"
#include "hub/api_events.h"
#include "hub/schedules/rule_store.h"
#include "hub/taskdef_store.h"
#include "protocol/arn.h"
#include "protocol/json_value.h"

#define PUT_TARGETS_MAX 10 /* EventBridge's targets per PutTargets */
#define TASK_COUNT_MAX 10  /* RunTask's count */
#define GROUP_MAX 255

/* The members tether reads; RunTask does not take placement or overrides yet, so a target that
 * asks for them is refused rather than run without them. */
#define TARGET_MEMBERS "Id Arn RoleArn EcsParameters"
#define ECS_PARAMETERS_MEMBERS "TaskDefinitionArn TaskCount LaunchType Group"

static int check_target(struct hub_store *s, const cJSON *t, int i, struct rule_target *ret,
			struct api_fault *f)
{
	char where[64], what[80];
	snprintf(where, sizeof(where), "PutTargets Targets[%d]", i);
	if (!cJSON_IsObject(t))
		return api_fail(f, EVENTS_INVALID, "%s must be an object", where);
	const cJSON *ecs = cJSON_GetObjectItemCaseSensitive(t, "EcsParameters");
	if (api_refuse_unknown_members(t, where, TARGET_MEMBERS, f) < 0 ||
	    (cJSON_IsObject(ecs) &&
	     api_refuse_unknown_members(ecs, strcat(where, ".EcsParameters"), ECS_PARAMETERS_MEMBERS,
					f) < 0)) {
		f->type = EVENTS_INVALID;
		return -EINVAL;
	}
	snprintf(where, sizeof(where), "Targets[%d]", i);
	memset(ret, 0, sizeof(*ret));
	if (events_opt_string(t, "Id", &ret->id, f) < 0 ||
	    events_opt_string(t, "Arn", &ret->arn, f) < 0 ||
	    events_opt_string(t, "RoleArn", &ret->role_arn, f) < 0)
		return -EINVAL;
	snprintf(what, sizeof(what), "%s.Id", where);
	if (!ret->id || events_check_name(what, ret->id, true, f) < 0)
		return ret->id ? -EINVAL : api_fail(f, EVENTS_INVALID, "%s is required", what);
	if (!ret->arn || strncmp(ret->arn, ARN_PREFIX "cluster/", strlen(ARN_PREFIX "cluster/")))
		return api_fail(f, EVENTS_INVALID, "%s.Arn must be the ARN of a cluster of this hub"
				" (%scluster/NAME); tether runs ECS tasks only", where, ARN_PREFIX);
	if (!cJSON_IsObject(ecs))
		return api_fail(f, EVENTS_INVALID, "%s.EcsParameters is required: tether runs ECS"
				" tasks only", where);
	char cluster[256];
	_cleanup_(cjson_deletep) cJSON *ask = cJSON_CreateObject();
	cJSON_AddStringToObject(ask, "cluster", ret->arn);
	if (api_cluster(s, ask, cluster, f) < 0)
		return api_fail(f, EVENTS_INVALID, "%s.Arn: no cluster %.64s on this hub", where,
				ret->arn);
	snprintf(where, sizeof(where), "Targets[%d].EcsParameters", i);
	if (events_opt_string(ecs, "TaskDefinitionArn", &ret->task_definition, f) < 0 ||
	    events_opt_string(ecs, "LaunchType", &ret->launch_type, f) < 0 ||
	    events_opt_string(ecs, "Group", &ret->group, f) < 0)
		return -EINVAL;
	if (api_opt_int(ecs, "TaskCount", 1, TASK_COUNT_MAX, 1, &ret->task_count, f) < 0) {
		f->type = EVENTS_INVALID;
		return -EINVAL;
	}
	if (!ret->task_definition)
		return api_fail(f, EVENTS_INVALID, "%s.TaskDefinitionArn is required", where);
	if (ret->launch_type && strcmp(ret->launch_type, "EXTERNAL") != 0)
		return api_fail(f, EVENTS_INVALID, "%s.LaunchType %.32s is not supported; use"
				" EXTERNAL", where, ret->launch_type);
	if (ret->group && (!ret->group[0] || strlen(ret->group) > GROUP_MAX))
		return api_fail(f, EVENTS_INVALID, "%s.Group must be 1 to %d characters", where,
				GROUP_MAX);
	char family[256];
	long long revision;
	_cleanup_free_ char *body = NULL;
	if (taskdef_store_lookup(s, ret->task_definition, family, &revision, &body, f) < 0) {
		f->type = EVENTS_INVALID;
		return -EINVAL;
	}
	return 0;
}

int events_put_targets(struct hub_store *s, const cJSON *req, cJSON **ret, struct api_fault *f)
{
	const char *rule;
	if (events_rule_name(req, "Rule", &rule, f) < 0)
		return -EINVAL;
	const cJSON *targets = cJSON_GetObjectItemCaseSensitive(req, "Targets");
	int n = cJSON_GetArraySize(targets);
	if (!cJSON_IsArray(targets) || n < 1 || n > PUT_TARGETS_MAX)
		return api_fail(f, EVENTS_INVALID, "Targets must be a list of 1 to %d targets",
				PUT_TARGETS_MAX);
	struct error err = { 0 };
	int r = rule_store_exists(s, rule, &err);
	if (r != 0)
		return r < 0 ? api_store_fail(f, &err) : events_rule_not_found(rule, f);
	struct rule_target checked[PUT_TARGETS_MAX];
	for (int i = 0; i < n; i++)
		if (check_target(s, cJSON_GetArrayItem(targets, i), i, &checked[i], f) < 0)
			return -EINVAL;
	if (hub_store_begin(s, &err) < 0)
		return api_store_fail(f, &err);
	for (int i = 0; i < n; i++) {
		r = rule_store_put_target(s, rule, &checked[i], &err);
		if (r < 0)
			return api_store_fail(f, &err);
		if (r > 0)
			return api_fail(f, "LimitExceededException", "The requested resource exceeds"
					" the maximum number allowed: a rule has at most %d targets.",
					RULE_TARGETS_MAX);
	}
	if (hub_store_commit(s, &err) < 0)
		return api_store_fail(f, &err);
	*ret = cJSON_CreateObject();
	cJSON_AddNumberToObject(*ret, "FailedEntryCount", 0);
	cJSON_AddArrayToObject(*ret, "FailedEntries");
	return 0;
}

int events_list_targets_by_rule(struct hub_store *s, const cJSON *req, cJSON **ret,
				 struct api_fault *f)
{
	const char *rule;
	if (events_rule_name(req, "Rule", &rule, f) < 0)
		return -EINVAL;
	struct error err = { 0 };
	int r = rule_store_exists(s, rule, &err);
	if (r != 0)
		return r < 0 ? api_store_fail(f, &err) : events_rule_not_found(rule, f);
	_cleanup_(cjson_deletep) cJSON *all = cJSON_CreateArray();
	if (rule_store_targets(s, rule, all, &err) < 0)
		return api_store_fail(f, &err);
	cJSON *o = cJSON_CreateObject();
	if (events_page(req, all, "Id", o, "Targets", f) < 0) {
		cJSON_Delete(o);
		return -EINVAL;
	}
	*ret = o;
	return 0;
}

/* Ids that are not targets of the rule are nothing to remove; like EventBridge, the answer
 * lists no failure for them. */
int events_remove_targets(struct hub_store *s, const cJSON *req, cJSON **ret,
			  struct api_fault *f)
{
	const char *rule;
	if (events_rule_name(req, "Rule", &rule, f) < 0)
		return -EINVAL;
	const cJSON *ids = cJSON_GetObjectItemCaseSensitive(req, "Ids");
	int n = cJSON_GetArraySize(ids);
	if (!cJSON_IsArray(ids) || n < 1 || n > API_MAX_RESULTS)
		return api_fail(f, EVENTS_INVALID, "Ids must be a list of 1 to %d target ids",
				API_MAX_RESULTS);
	const cJSON *id;
	cJSON_ArrayForEach(id, ids)
		if (!cJSON_IsString(id) || events_check_name("Ids", id->valuestring, true, f) < 0)
			return cJSON_IsString(id) ? -EINVAL
						  : api_fail(f, EVENTS_INVALID, "Ids must be strings");
	struct error err = { 0 };
	int r = rule_store_exists(s, rule, &err);
	if (r != 0)
		return r < 0 ? api_store_fail(f, &err) : events_rule_not_found(rule, f);
	if (hub_store_begin(s, &err) < 0)
		return api_store_fail(f, &err);
	cJSON_ArrayForEach(id, ids)
		if (rule_store_remove_target(s, rule, id->valuestring, &err) < 0)
			return api_store_fail(f, &err);
	if (hub_store_commit(s, &err) < 0)
		return api_store_fail(f, &err);
	*ret = cJSON_CreateObject();
	cJSON_AddNumberToObject(*ret, "FailedEntryCount", 0);
	cJSON_AddArrayToObject(*ret, "FailedEntries");
	return 0;
}
