#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/cleanup.h"
#include "hub/services/service_store.h"
#include "hub/services/service_view.h"
#include "hub/tasks/service_tasks.h"
#include "protocol/arn.h"

char *service_arn(const char *cluster, const char *name)
{
	char *arn = NULL;
	return asprintf(&arn, ARN_PREFIX "service/%s/%s", cluster, name) < 0 ? NULL : arn;
}

static void add_string(cJSON *o, const char *name, char *owned)
{
	cJSON_AddStringToObject(o, name, owned ? owned : "");
	free(owned);
}

static cJSON *deployment_view(struct hub_store *s, const struct service *svc, const char *group,
			      const struct deployment *d)
{
	long long running = 0, pending = 0;
	service_tasks_count(s, svc->cluster, group, d->id, false, &running, &pending, NULL);
	cJSON *o = cJSON_CreateObject();
	cJSON_AddStringToObject(o, "id", d->id);
	cJSON_AddStringToObject(o, "status", d->status);
	add_string(o, "taskDefinition", arn_task_definition(d->family, d->revision));
	bool primary = strcmp(d->status, "PRIMARY") == 0;
	cJSON_AddNumberToObject(o, "desiredCount",
				(double)(primary ? svc->desired : running + pending));
	cJSON_AddNumberToObject(o, "pendingCount", (double)pending);
	cJSON_AddNumberToObject(o, "runningCount", (double)running);
	cJSON_AddNumberToObject(o, "failedTasks", (double)d->failed);
	cJSON_AddNumberToObject(o, "createdAt", d->created_at);
	cJSON_AddNumberToObject(o, "updatedAt", d->updated_at);
	cJSON_AddStringToObject(o, "launchType", "EXTERNAL");
	cJSON_AddStringToObject(o, "rolloutState", d->rollout_state);
	if (d->rollout_reason[0])
		cJSON_AddStringToObject(o, "rolloutStateReason", d->rollout_reason);
	return o;
}

/* placementConstraints and placementStrategy as CreateService took them; ECS shows both,
 * empty when none were given. */
static void add_placement(struct hub_store *s, const struct service *svc, cJSON *o)
{
	_cleanup_free_ char *constraints = NULL, *strategies = NULL;
	service_placement_get(s, svc->cluster, svc->name, &constraints, &strategies, NULL);
	cJSON *c = constraints ? cJSON_Parse(constraints) : NULL;
	cJSON *p = strategies ? cJSON_Parse(strategies) : NULL;
	cJSON_AddItemToObject(o, "placementConstraints", c ? c : cJSON_CreateArray());
	cJSON_AddItemToObject(o, "placementStrategy", p ? p : cJSON_CreateArray());
}

cJSON *service_view(struct hub_store *s, const struct service *svc)
{
	char group[SERVICE_NAME_MAX + 16];
	snprintf(group, sizeof(group), "service:%s", svc->name);
	long long running = 0, pending = 0;
	service_tasks_count(s, svc->cluster, group, NULL, false, &running, &pending, NULL);
	cJSON *o = cJSON_CreateObject();
	add_string(o, "serviceArn", service_arn(svc->cluster, svc->name));
	cJSON_AddStringToObject(o, "serviceName", svc->name);
	add_string(o, "clusterArn", arn_cluster(svc->cluster));
	cJSON_AddStringToObject(o, "status", svc->status);
	cJSON_AddNumberToObject(o, "desiredCount", (double)svc->desired);
	cJSON_AddNumberToObject(o, "runningCount", (double)running);
	cJSON_AddNumberToObject(o, "pendingCount", (double)pending);
	cJSON_AddStringToObject(o, "launchType", "EXTERNAL");
	cJSON_AddStringToObject(o, "schedulingStrategy", svc->strategy);
	cJSON *config = cJSON_AddObjectToObject(o, "deploymentConfiguration");
	cJSON_AddNumberToObject(config, "maximumPercent", (double)svc->max_percent);
	cJSON_AddNumberToObject(config, "minimumHealthyPercent", (double)svc->min_percent);
	cJSON *breaker = cJSON_AddObjectToObject(config, "deploymentCircuitBreaker");
	cJSON_AddBoolToObject(breaker, "enable", svc->breaker_enable);
	cJSON_AddBoolToObject(breaker, "rollback", svc->breaker_rollback);
	add_placement(s, svc, o);
	cJSON *controller = cJSON_AddObjectToObject(o, "deploymentController");
	cJSON_AddStringToObject(controller, "type", "ECS");
	cJSON *deployments = cJSON_AddArrayToObject(o, "deployments");
	_cleanup_free_ struct deployment *deps = NULL;
	size_t n = 0;
	deployment_store_list(s, svc->cluster, svc->name, false, &deps, &n, NULL);
	for (size_t i = 0; i < n; i++) {
		if (strcmp(deps[i].status, "PRIMARY") == 0)
			add_string(o, "taskDefinition",
				   arn_task_definition(deps[i].family, deps[i].revision));
		cJSON_AddItemToArray(deployments, deployment_view(s, svc, group, &deps[i]));
	}
	cJSON_AddItemToObject(o, "events", service_events_view(s, svc->cluster, svc->name));
	cJSON_AddNumberToObject(o, "createdAt", svc->created_at);
	return o;
}
