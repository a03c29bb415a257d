#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "common/cleanup.h"
#include "hub/operator_audit.h"
#include "protocol/json_value.h"

#define VALUE_MAX 256 /* an identifier longer than this is cut short in the line */

static const char *const mutating[] = {
	"AmazonSSM.CreateActivation",
	"AmazonEC2ContainerServiceV20141113.CreateCluster",
	"AmazonEC2ContainerServiceV20141113.RegisterTaskDefinition",
	"AmazonEC2ContainerServiceV20141113.RunTask",
	"AmazonEC2ContainerServiceV20141113.StopTask",
	"AmazonEC2ContainerServiceV20141113.CreateService",
	"AmazonEC2ContainerServiceV20141113.UpdateService",
	"AmazonEC2ContainerServiceV20141113.DeleteService",
	"AmazonEC2ContainerServiceV20141113.UpdateContainerInstancesState",
};

/* The request members that identify what a call acts on. */
static const char *const request_fields[] = {
	"cluster", "clusterName", "family", "taskDefinition", "task", "count", "launchType",
	"IamRole", "RegistrationLimit", "serviceName", "service", "desiredCount", "status",
};

bool operator_call_mutates(const char *target)
{
	for (size_t i = 0; i < ELEMENTSOF(mutating); i++)
		if (!strcmp(target, mutating[i]))
			return true;
	return false;
}

static void copy_field(cJSON *to, const char *name, const cJSON *v)
{
	if (cJSON_IsString(v)) {
		char cut[VALUE_MAX + 1];
		snprintf(cut, sizeof(cut), "%s", v->valuestring);
		cJSON_AddStringToObject(to, name, cut);
	} else if (cJSON_IsNumber(v)) {
		cJSON_AddNumberToObject(to, name, v->valuedouble);
	}
}

/* What the call made: an activation id, a task definition, tasks. */
static void add_results(cJSON *line, const cJSON *answer)
{
	copy_field(line, "activationId", cJSON_GetObjectItemCaseSensitive(answer, "ActivationId"));
	const cJSON *td = cJSON_GetObjectItemCaseSensitive(answer, "taskDefinition");
	copy_field(line, "taskDefinitionArn",
		   cJSON_GetObjectItemCaseSensitive(td, "taskDefinitionArn"));
	const cJSON *task = cJSON_GetObjectItemCaseSensitive(answer, "task");
	copy_field(line, "taskArn", cJSON_GetObjectItemCaseSensitive(task, "taskArn"));
	const cJSON *service = cJSON_GetObjectItemCaseSensitive(answer, "service");
	copy_field(line, "serviceArn", cJSON_GetObjectItemCaseSensitive(service, "serviceArn"));
	const cJSON *tasks = cJSON_GetObjectItemCaseSensitive(answer, "tasks"), *t;
	if (!cJSON_IsArray(tasks))
		return;
	cJSON *arns = cJSON_AddArrayToObject(line, "taskArns");
	cJSON_ArrayForEach(t, tasks)
	{
		const cJSON *arn = cJSON_GetObjectItemCaseSensitive(t, "taskArn");
		if (cJSON_IsString(arn))
			cJSON_AddItemToArray(arns, cJSON_CreateString(arn->valuestring));
	}
}

char *operator_audit_line(const struct operator_caller *caller, const char *peer,
			  const char *target, const char *body, size_t size, int status,
			  const char *answer)
{
	_cleanup_(cjson_deletep) cJSON *line = cJSON_CreateObject();
	bool accepted = caller->id[0] != '\0';
	cJSON_AddStringToObject(line, "caller", accepted ? caller->id : "unauthenticated");
	if (!accepted && caller->claimed[0])
		cJSON_AddStringToObject(line, "claimedAccessKeyId", caller->claimed);
	cJSON_AddStringToObject(line, "peer", peer);
	const char *dot = strrchr(target, '.');
	cJSON_AddStringToObject(line, "operation", dot ? dot + 1 : target);
	_cleanup_(cjson_deletep) cJSON *req = size ? cJSON_ParseWithLength(body, size) : NULL;
	for (size_t i = 0; i < ELEMENTSOF(request_fields); i++)
		copy_field(line, request_fields[i],
			   cJSON_GetObjectItemCaseSensitive(req, request_fields[i]));
	cJSON_AddNumberToObject(line, "status", status);
	_cleanup_(cjson_deletep) cJSON *ans = answer ? cJSON_Parse(answer) : NULL;
	const cJSON *type = cJSON_GetObjectItemCaseSensitive(ans, "__type");
	if (status != 200)
		cJSON_AddStringToObject(line, "error", cJSON_IsString(type) ? type->valuestring
									  : "unknown");
	else
		add_results(line, ans);
	return cJSON_PrintUnformatted(line);
}
