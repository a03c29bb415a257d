/* ECS DescribeServices and ListServices. */
#include <errno.h>
#include <string.h>

#include "common/cleanup.h"
#include "hub/api_ecs_service.h"
#include "hub/services/service_store.h"
#include "hub/services/service_view.h"
#include "protocol/arn.h"

int ecs_describe_services(struct hub_store *s, const cJSON *req, cJSON **ret,
			  struct api_fault *f)
{
	char cluster[256];
	const cJSON *names;
	if (api_cluster(s, req, cluster, f) < 0 ||
	    api_describe_list(req, "services", "services", true, &names, f) < 0)
		return -EINVAL;
	cJSON *o = cJSON_CreateObject();
	cJSON *services = cJSON_AddArrayToObject(o, "services");
	cJSON *failures = cJSON_AddArrayToObject(o, "failures");
	const cJSON *n;
	cJSON_ArrayForEach(n, names)
	{
		if (!cJSON_IsString(n)) {
			cJSON_Delete(o);
			return api_fail(f, "InvalidParameterException",
					"services must be a list of strings.");
		}
		const char *name = arn_resource_id(n->valuestring, "service");
		struct service svc;
		struct error err = { 0 };
		int r = name ? service_store_get(s, cluster, name, &svc, &err) : 1;
		if (r < 0) {
			cJSON_Delete(o);
			return api_store_fail(f, &err);
		}
		if (r > 0) {
			_cleanup_free_ char *arn = service_arn(cluster, name ? name : n->valuestring);
			api_add_failure(failures, arn ? arn : n->valuestring, "MISSING");
			continue;
		}
		cJSON_AddItemToArray(services, service_view(s, &svc));
	}
	*ret = o;
	return 0;
}

struct listing {
	const char *strategy;
	cJSON *arns;
};

static void list_one(const struct service *svc, void *data)
{
	struct listing *l = data;
	if (l->strategy && strcmp(svc->strategy, l->strategy) != 0)
		return;
	_cleanup_free_ char *arn = service_arn(svc->cluster, svc->name);
	cJSON_AddItemToArray(l->arns, cJSON_CreateString(arn ? arn : ""));
}

int ecs_list_services(struct hub_store *s, const cJSON *req, cJSON **ret, struct api_fault *f)
{
	char cluster[256];
	const char *launch_type, *strategy;
	if (api_cluster(s, req, cluster, f) < 0 ||
	    api_opt_string(req, "launchType", &launch_type, f) < 0 ||
	    api_opt_string(req, "schedulingStrategy", &strategy, f) < 0 ||
	    api_check_max_results(req, f) < 0)
		return -EINVAL;
	if (launch_type && strcmp(launch_type, "EXTERNAL") != 0 && strcmp(launch_type, "EC2") != 0 &&
	    strcmp(launch_type, "FARGATE") != 0)
		return api_fail(f, "InvalidParameterException",
				"launchType must be EC2, FARGATE or EXTERNAL");
	if (strategy && strcmp(strategy, "REPLICA") != 0 && strcmp(strategy, "DAEMON") != 0)
		return api_fail(f, "InvalidParameterException",
				"schedulingStrategy must be REPLICA or DAEMON");
	cJSON *o = cJSON_CreateObject();
	struct listing l = { strategy, cJSON_AddArrayToObject(o, "serviceArns") };
	struct error err = { 0 };
	/* Every service here is EXTERNAL: another launch type lists none. */
	if ((!launch_type || strcmp(launch_type, "EXTERNAL") == 0) &&
	    service_store_each(s, cluster, false, list_one, &l, &err) < 0) {
		cJSON_Delete(o);
		return api_store_fail(f, &err);
	}
	if (api_page(req, o, "serviceArns", f) < 0) {
		cJSON_Delete(o);
		return -EINVAL;
	}
	*ret = o;
	return 0;
}
