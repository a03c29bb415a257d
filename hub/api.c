#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "common/cleanup.h"
#include "hub/api.h"
#include "hub/api_ecs_service.h"
#include "hub/fault.h"
#include "protocol/arn.h"
#include "protocol/json_value.h"

#define ECS_PREFIX "AmazonEC2ContainerServiceV20141113."
#define SSM_PREFIX "AmazonSSM."
#define EVENTS_PREFIX "AWSEvents."

/* members: the request members the handler reads, separated by spaces. Any other member a
 * request carries is refused by name before the handler runs, all of them in one answer, so
 * that no option is accepted and then ignored. NULL: the handler checks its members itself
 * (RegisterTaskDefinition, whose body is the definition). */
struct api_action {
	const char *target;
	api_handler_fn fn;
	const char *members;
};

static const struct api_action actions[] = {
	{ SSM_PREFIX "CreateActivation", ssm_create_activation,
	  "IamRole Description DefaultInstanceName RegistrationLimit ExpirationDate" },
	{ SSM_PREFIX "DescribeActivations", ssm_describe_activations,
	  "Filters MaxResults NextToken" },
	{ SSM_PREFIX "DeleteActivation", ssm_delete_activation,
	  "ActivationId" },
	{ SSM_PREFIX "DescribeInstanceInformation", ssm_describe_instance_information,
	  "InstanceInformationFilterList Filters MaxResults NextToken" },
	{ SSM_PREFIX "DeregisterManagedInstance", ssm_deregister_managed_instance,
	  "InstanceId" },
	{ ECS_PREFIX "CreateCluster", ecs_create_cluster,
	  "clusterName tags" },
	{ ECS_PREFIX "DeleteCluster", ecs_delete_cluster,
	  "cluster" },
	{ ECS_PREFIX "ListClusters", ecs_list_clusters,
	  "maxResults nextToken" },
	{ ECS_PREFIX "DescribeClusters", ecs_describe_clusters,
	  "clusters include" },
	{ ECS_PREFIX "RegisterTaskDefinition", ecs_register_task_definition,
	  NULL },
	{ ECS_PREFIX "DescribeTaskDefinition", ecs_describe_task_definition,
	  "taskDefinition include" },
	{ ECS_PREFIX "ListTaskDefinitions", ecs_list_task_definitions,
	  "familyPrefix status sort maxResults nextToken" },
	{ ECS_PREFIX "ListTaskDefinitionFamilies", ecs_list_task_definition_families,
	  "familyPrefix status maxResults nextToken" },
	{ ECS_PREFIX "DeregisterTaskDefinition", ecs_deregister_task_definition,
	  "taskDefinition" },
	{ ECS_PREFIX "RunTask", ecs_run_task,
	  "cluster taskDefinition count launchType startedBy group clientToken overrides"
	  " placementConstraints placementStrategy tags propagateTags enableECSManagedTags" },
	{ ECS_PREFIX "StartTask", ecs_start_task,
	  "cluster containerInstances taskDefinition startedBy group overrides tags propagateTags"
	  " enableECSManagedTags" },
	{ ECS_PREFIX "StopTask", ecs_stop_task,
	  "cluster task reason" },
	{ ECS_PREFIX "DescribeTasks", ecs_describe_tasks,
	  "cluster tasks include" },
	{ ECS_PREFIX "ListTasks", ecs_list_tasks,
	  "cluster desiredStatus containerInstance family startedBy maxResults nextToken" },
	{ ECS_PREFIX "ListContainerInstances", ecs_list_container_instances,
	  "cluster status filter maxResults nextToken" },
	{ ECS_PREFIX "DescribeContainerInstances", ecs_describe_container_instances,
	  "cluster containerInstances" },
	{ ECS_PREFIX "DeregisterContainerInstance", ecs_deregister_container_instance,
	  "cluster containerInstance force" },
	{ ECS_PREFIX "PutAttributes", ecs_put_attributes,
	  "cluster attributes" },
	{ ECS_PREFIX "DeleteAttributes", ecs_delete_attributes,
	  "cluster attributes" },
	{ ECS_PREFIX "ListAttributes", ecs_list_attributes,
	  "cluster targetType attributeName attributeValue maxResults nextToken" },
	{ EVENTS_PREFIX "PutRule", events_put_rule,
	  "Name ScheduleExpression State Description EventBusName" },
	{ EVENTS_PREFIX "DescribeRule", events_describe_rule,
	  "Name EventBusName" },
	{ EVENTS_PREFIX "ListRules", events_list_rules,
	  "NamePrefix EventBusName NextToken Limit" },
	{ EVENTS_PREFIX "EnableRule", events_enable_rule,
	  "Name EventBusName" },
	{ EVENTS_PREFIX "DisableRule", events_disable_rule,
	  "Name EventBusName" },
	{ EVENTS_PREFIX "DeleteRule", events_delete_rule,
	  "Name EventBusName" },
	{ EVENTS_PREFIX "PutTargets", events_put_targets,
	  "Rule EventBusName Targets" },
	{ EVENTS_PREFIX "ListTargetsByRule", events_list_targets_by_rule,
	  "Rule EventBusName NextToken Limit" },
	{ EVENTS_PREFIX "RemoveTargets", events_remove_targets,
	  "Rule EventBusName Ids" },
	{ ECS_PREFIX "TagResource", ecs_tag_resource,
	  "resourceArn tags" },
	{ ECS_PREFIX "UntagResource", ecs_untag_resource,
	  "resourceArn tagKeys" },
	{ ECS_PREFIX "ListTagsForResource", ecs_list_tags_for_resource,
	  "resourceArn" },
	{ ECS_PREFIX "UpdateContainerInstancesState", ecs_update_container_instances_state,
	  "cluster containerInstances status" },
	{ ECS_PREFIX "CreateService", ecs_create_service,
	  "cluster serviceName taskDefinition desiredCount launchType schedulingStrategy"
	  " deploymentConfiguration clientToken placementConstraints placementStrategy" },
	{ ECS_PREFIX "UpdateService", ecs_update_service,
	  "cluster service desiredCount taskDefinition forceNewDeployment deploymentConfiguration" },
	{ ECS_PREFIX "DeleteService", ecs_delete_service,
	  "cluster service force" },
	{ ECS_PREFIX "DescribeServices", ecs_describe_services,
	  "cluster services" },
	{ ECS_PREFIX "ListServices", ecs_list_services,
	  "cluster launchType schedulingStrategy maxResults nextToken" },
};

int api_fail(struct api_fault *f, const char *type, const char *fmt, ...)
{
	f->type = type;
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(f->message, sizeof(f->message), fmt, ap);
	va_end(ap);
	return -EINVAL;
}

void api_add_failure(cJSON *failures, const char *arn, const char *reason)
{
	cJSON *fl = cJSON_CreateObject();
	cJSON_AddStringToObject(fl, "arn", arn);
	cJSON_AddStringToObject(fl, "reason", reason);
	cJSON_AddItemToArray(failures, fl);
}

int api_store_fail(struct api_fault *f, const struct error *err)
{
	return api_fail(f, "ServerException", "%s", err->message[0] ? err->message : "store failure");
}

int api_opt_string(const cJSON *req, const char *name, const char **ret, struct api_fault *f)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(req, name);
	*ret = NULL;
	if (!v || cJSON_IsNull(v))
		return 0;
	if (!cJSON_IsString(v))
		return api_fail(f, "InvalidParameterException", "%s must be a string", name);
	*ret = v->valuestring;
	return 0;
}

int api_opt_int(const cJSON *req, const char *name, long long min, long long max,
		long long def, long long *ret, struct api_fault *f)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(req, name);
	if (!v || cJSON_IsNull(v)) {
		*ret = def;
		return 0;
	}
	/* Range first: converting an out-of-range double to an integer is undefined. */
	if (!cJSON_IsNumber(v) || !(v->valuedouble >= (double)min && v->valuedouble <= (double)max) ||
	    v->valuedouble != (double)(long long)v->valuedouble)
		return api_fail(f, "InvalidParameterException",
				"%s must be an integer from %lld to %lld", name, min, max);
	*ret = (long long)v->valuedouble;
	return 0;
}

int api_check_max_results(const cJSON *req, struct api_fault *f)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(req, "maxResults");
	if (!v || cJSON_IsNull(v))
		return 0;
	if (!cJSON_IsNumber(v) || !(v->valuedouble >= 1 && v->valuedouble <= API_MAX_RESULTS) ||
	    v->valuedouble != (double)(long long)v->valuedouble)
		return api_fail(f, "InvalidParameterException",
				"maxResults must be between 1 and %d.", API_MAX_RESULTS);
	return 0;
}

int api_describe_list(const cJSON *req, const char *member, const char *ecs_name, bool required,
		      const cJSON **ret, struct api_fault *f)
{
	const cJSON *list = cJSON_GetObjectItemCaseSensitive(req, member);
	*ret = NULL;
	if (!list && !required)
		return 0;
	if (!cJSON_IsArray(list))
		return api_fail(f, "InvalidParameterException", "%s must be a list of strings.",
				member);
	if (cJSON_GetArraySize(list) > API_DESCRIBE_MAX_ITEMS)
		return api_fail(f, "InvalidParameterException", "%s can have at most %d items.",
				ecs_name, API_DESCRIBE_MAX_ITEMS);
	*ret = list;
	return 0;
}

int api_cluster(struct hub_store *s, const cJSON *req, char name[256], struct api_fault *f)
{
	const char *c;
	if (api_opt_string(req, "cluster", &c, f) < 0)
		return -EINVAL;
	if (!c)
		c = "default";
	const char *id = arn_resource_id(c, "cluster");
	if (!id || strlen(id) >= 256)
		return api_fail(f, "InvalidParameterException", "cluster is not a cluster name or ARN");
	struct error err = { 0 };
	_cleanup_stmt_ sqlite3_stmt *st =
		hub_store_prepare(s, "SELECT 1 FROM clusters WHERE name = ?"
				  " AND coalesce(status, 'ACTIVE') = 'ACTIVE'", &err);
	if (!st)
		return api_store_fail(f, &err);
	sqlite3_bind_text(st, 1, id, -1, SQLITE_STATIC);
	if (sqlite3_step(st) != SQLITE_ROW)
		return api_fail(f, "ClusterNotFoundException", "Cluster not found.");
	snprintf(name, 256, "%s", id);
	return 0;
}

static bool member_is_listed(const char *members, const char *name)
{
	size_t n = strlen(name);
	for (const char *m = members; *m;) {
		size_t len = strcspn(m, " ");
		if (len == n && strncmp(m, name, n) == 0)
			return true;
		m += len;
		m += strspn(m, " ");
	}
	return false;
}

int api_refuse_unknown_members(const cJSON *req, const char *action, const char *members,
			       struct api_fault *f)
{
	char names[sizeof(f->message) - 128] = "";
	size_t used = 0;
	int refused = 0;
	const cJSON *m;
	cJSON_ArrayForEach(m, req)
	{
		if (!m->string || member_is_listed(members, m->string) ||
		    json_value_asks_nothing(m))
			continue;
		int w = snprintf(names + used, sizeof(names) - used, "%s%s", refused ? ", " : "",
				 m->string);
		if (w > 0 && (size_t)w < sizeof(names) - used)
			used += (size_t)w;
		refused++;
	}
	if (!refused)
		return 0;
	return api_fail(f, "InvalidParameterException",
			"%s: tether does not implement %s %s; nothing was done", action,
			refused == 1 ? "the parameter" : "the parameters", names);
}

static int answer_fault(const struct api_fault *f, char **ret_body)
{
	*ret_body = fault_json(FAULT_AWS_JSON, f->type, f->message);
	return strcmp(f->type, "ServerException") == 0 ? 500 : 400;
}

bool api_knows(const char *target)
{
	for (size_t i = 0; target && i < ELEMENTSOF(actions); i++)
		if (strcmp(actions[i].target, target) == 0)
			return true;
	return false;
}

int api_dispatch(struct hub_store *s, const char *target, const char *body, size_t size,
		 char **ret_body)
{
	struct api_fault f = { 0 };
	const struct api_action *action = NULL;
	for (size_t i = 0; target && i < ELEMENTSOF(actions); i++)
		if (strcmp(actions[i].target, target) == 0)
			action = &actions[i];
	if (!action) {
		api_fail(&f, "UnknownOperationException", "Unknown operation %s",
			 target ? target : "(no X-Amz-Target)");
		return answer_fault(&f, ret_body);
	}
	if (size > API_BODY_MAX || json_text_has_nul(body, size)) {
		api_fail(&f, "SerializationException", "request body is too large or holds NUL");
		return answer_fault(&f, ret_body);
	}
	_cleanup_(cjson_deletep) cJSON *req =
		size ? cJSON_ParseWithLength(body, size) : cJSON_CreateObject();
	if (!req || !cJSON_IsObject(req)) {
		api_fail(&f, "SerializationException", "request body is not a JSON object");
		return answer_fault(&f, ret_body);
	}
	const char *name = strrchr(action->target, '.') + 1;
	if (action->members && api_refuse_unknown_members(req, name, action->members, &f) < 0) {
		/* EventBridge's name for a request it cannot take. */
		if (!strncmp(target, EVENTS_PREFIX, strlen(EVENTS_PREFIX)))
			f.type = "ValidationException";
		return answer_fault(&f, ret_body);
	}
	cJSON *resp = NULL;
	if (action->fn(s, req, &resp, &f) < 0) {
		hub_store_rollback(s);
		return answer_fault(&f, ret_body);
	}
	*ret_body = cJSON_PrintUnformatted(resp);
	cJSON_Delete(resp);
	return 200;
}
