/* ECS CreateService, UpdateService and DeleteService: what the operator asks of a service is
 * stored; the service scheduler's pass (hub/services/service_reconcile.h) does it. */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "common/cleanup.h"
#include "hub/api_ecs_service.h"
#include "hub/placement/placement_spec.h"
#include "hub/services/service_store.h"
#include "hub/services/service_view.h"
#include "hub/taskdef_store.h"
#include "protocol/arn.h"

/* ECS's defaults: REPLICA rolls with 200/100, DAEMON replaces in place with 100/0. */
#define REPLICA_MAX_PERCENT 200
#define REPLICA_MIN_PERCENT 100
#define DAEMON_MAX_PERCENT 100
#define DAEMON_MIN_PERCENT 0
#define PERCENT_LIMIT 2000
#define DESIRED_COUNT_MAX 10000

int api_service(struct hub_store *s, const char *cluster, const cJSON *req, const char *member,
		struct service *ret, struct api_fault *f)
{
	const char *ref;
	if (api_opt_string(req, member, &ref, f) < 0)
		return -EINVAL;
	if (!ref)
		return api_fail(f, "InvalidParameterException", "%s is required", member);
	const char *name = arn_resource_id(ref, "service");
	if (!name)
		return api_fail(f, "InvalidParameterException", "%s is not a service name or ARN",
				member);
	struct error err = { 0 };
	int r = service_store_get(s, cluster, name, ret, &err);
	if (r < 0)
		return api_store_fail(f, &err);
	if (r > 0)
		return api_fail(f, "ServiceNotFoundException", "Service not found.");
	return 0;
}

static int opt_bool(const cJSON *obj, const char *name, bool *ret, struct api_fault *f)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(obj, name);
	if (!v || cJSON_IsNull(v))
		return 0;
	if (!cJSON_IsBool(v))
		return api_fail(f, "InvalidParameterException", "%s must be true or false", name);
	*ret = cJSON_IsTrue(v);
	return 0;
}

/* deploymentConfiguration: the members tether implements, over what svc holds. */
static int read_deployment_config(const cJSON *req, const char *action, struct service *svc,
				  struct api_fault *f)
{
	const cJSON *c = cJSON_GetObjectItemCaseSensitive(req, "deploymentConfiguration");
	if (!c || cJSON_IsNull(c))
		return 0;
	if (!cJSON_IsObject(c))
		return api_fail(f, "InvalidParameterException",
				"deploymentConfiguration must be an object");
	if (api_refuse_unknown_members(c, action, "maximumPercent minimumHealthyPercent"
				       " deploymentCircuitBreaker", f) < 0 ||
	    api_opt_int(c, "maximumPercent", 0, PERCENT_LIMIT, svc->max_percent, &svc->max_percent,
			f) < 0 ||
	    api_opt_int(c, "minimumHealthyPercent", 0, 100, svc->min_percent, &svc->min_percent,
			f) < 0)
		return -EINVAL;
	const cJSON *b = cJSON_GetObjectItemCaseSensitive(c, "deploymentCircuitBreaker");
	if (b && !cJSON_IsNull(b)) {
		if (!cJSON_IsObject(b))
			return api_fail(f, "InvalidParameterException",
					"deploymentCircuitBreaker must be an object");
		if (api_refuse_unknown_members(b, action, "enable rollback", f) < 0 ||
		    opt_bool(b, "enable", &svc->breaker_enable, f) < 0 ||
		    opt_bool(b, "rollback", &svc->breaker_rollback, f) < 0)
			return -EINVAL;
	}
	if (svc->max_percent < svc->min_percent || svc->max_percent < 1)
		return api_fail(f, "InvalidParameterException",
				"maximumPercent must be at least 1 and at least minimumHealthyPercent");
	return 0;
}

static int check_service_name(const char *name, struct api_fault *f)
{
	size_t n = name ? strlen(name) : 0;
	if (!name)
		return api_fail(f, "InvalidParameterException", "serviceName is required");
	if (n < 1 || n > SERVICE_NAME_MAX ||
	    strspn(name, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_") != n)
		return api_fail(f, "InvalidParameterException",
				"serviceName must be 1 to 255 letters, digits, '-' or '_'");
	return 0;
}

static cJSON *answer(struct hub_store *s, const struct service *svc)
{
	cJSON *o = cJSON_CreateObject();
	cJSON_AddItemToObject(o, "service", service_view(s, svc));
	return o;
}

static int done(struct hub_store *s, const struct service *svc, cJSON **ret, struct api_fault *f)
{
	struct error err = { 0 };
	if (hub_store_commit(s, &err) < 0)
		return api_store_fail(f, &err);
	*ret = answer(s, svc);
	return 0;
}

/* The request's taskDefinition resolved to a stored one. */
static int task_definition(struct hub_store *s, const cJSON *req, bool required, char family[256],
			   long long *ret_revision, bool *ret_given, struct api_fault *f)
{
	const char *ref;
	if (api_opt_string(req, "taskDefinition", &ref, f) < 0)
		return -EINVAL;
	*ret_given = ref != NULL;
	if (!ref)
		return required ? api_fail(f, "InvalidParameterException",
					   "taskDefinition is required") : 0;
	_cleanup_free_ char *body = NULL;
	return taskdef_store_lookup(s, ref, family, ret_revision, &body, f);
}

/* placementConstraints and placementStrategy, checked as RunTask checks them, kept as JSON text
 * (NULL when absent or empty); ECS places a DAEMON service by its constraints only. */
static int read_placement(const cJSON *req, bool daemon, char **ret_constraints,
			  char **ret_strategies, struct api_fault *f)
{
	const cJSON *constraints = cJSON_GetObjectItemCaseSensitive(req, "placementConstraints");
	const cJSON *strategies = cJSON_GetObjectItemCaseSensitive(req, "placementStrategy");
	_cleanup_(placement_spec_release) struct placement_spec spec = { 0 };
	struct error err = { 0 };
	if (placement_spec_add_constraints(&spec, constraints, &err) < 0 ||
	    placement_spec_set_strategies(&spec, strategies, &err) < 0)
		return api_fail(f, "InvalidParameterException", "%s", err.message);
	if (daemon && spec.n_strategies > 0)
		return api_fail(f, "InvalidParameterException",
				"Placement strategies are not supported with the DAEMON scheduling"
				" strategy.");
	*ret_constraints = cJSON_GetArraySize(constraints) > 0 ? cJSON_PrintUnformatted(constraints)
								: NULL;
	*ret_strategies = cJSON_GetArraySize(strategies) > 0 ? cJSON_PrintUnformatted(strategies)
							      : NULL;
	return 0;
}

int ecs_create_service(struct hub_store *s, const cJSON *req, cJSON **ret, struct api_fault *f)
{
	struct service svc = { .created_at = hub_now() };
	const char *name, *launch_type, *strategy, *token;
	char family[256];
	long long revision;
	bool given;
	if (api_cluster(s, req, svc.cluster, f) < 0 ||
	    api_opt_string(req, "serviceName", &name, f) < 0 || check_service_name(name, f) < 0 ||
	    api_opt_string(req, "launchType", &launch_type, f) < 0 ||
	    api_opt_string(req, "schedulingStrategy", &strategy, f) < 0 ||
	    api_opt_string(req, "clientToken", &token, f) < 0 ||
	    task_definition(s, req, true, family, &revision, &given, f) < 0)
		return -EINVAL;
	if (launch_type && strcmp(launch_type, "EXTERNAL") != 0)
		return api_fail(f, "InvalidParameterException",
				"launchType %s is not supported; use EXTERNAL", launch_type);
	if (!strategy)
		strategy = "REPLICA";
	bool daemon = strcmp(strategy, "DAEMON") == 0;
	if (!daemon && strcmp(strategy, "REPLICA") != 0)
		return api_fail(f, "InvalidParameterException",
				"schedulingStrategy must be REPLICA or DAEMON");
	if (token && strlen(token) >= sizeof(svc.client_token))
		return api_fail(f, "InvalidParameterException", "clientToken must be 1 to 64 characters");
	const cJSON *count = cJSON_GetObjectItemCaseSensitive(req, "desiredCount");
	if (daemon && count && !cJSON_IsNull(count))
		return api_fail(f, "InvalidParameterException",
				"The daemon scheduling strategy does not support a desired count"
				" for services.");
	if (!daemon && (!count || cJSON_IsNull(count)))
		return api_fail(f, "InvalidParameterException",
				"desiredCount is required for the REPLICA scheduling strategy");
	if (api_opt_int(req, "desiredCount", 0, DESIRED_COUNT_MAX, 0, &svc.desired, f) < 0)
		return -EINVAL;
	snprintf(svc.name, sizeof(svc.name), "%s", name);
	snprintf(svc.status, sizeof(svc.status), "ACTIVE");
	snprintf(svc.strategy, sizeof(svc.strategy), "%s", strategy);
	snprintf(svc.client_token, sizeof(svc.client_token), "%s", token ? token : "");
	svc.max_percent = daemon ? DAEMON_MAX_PERCENT : REPLICA_MAX_PERCENT;
	svc.min_percent = daemon ? DAEMON_MIN_PERCENT : REPLICA_MIN_PERCENT;
	if (read_deployment_config(req, "CreateService", &svc, f) < 0)
		return -EINVAL;
	_cleanup_free_ char *constraints = NULL, *strategies = NULL;
	if (read_placement(req, daemon, &constraints, &strategies, f) < 0)
		return -EINVAL;

	struct error err = { 0 };
	if (hub_store_begin(s, &err) < 0)
		return api_store_fail(f, &err);
	struct service old;
	int r = service_store_get(s, svc.cluster, svc.name, &old, &err);
	if (r < 0)
		return api_store_fail(f, &err);
	if (r == 0 && strcmp(old.status, "INACTIVE") != 0) {
		/* The aws CLI sends the same token when it retries a call. */
		if (token && strcmp(old.client_token, token) == 0)
			return done(s, &old, ret, f);
		return api_fail(f, "InvalidParameterException",
				"Creation of service was not idempotent.");
	}
	struct deployment d;
	if ((r == 0 && service_store_forget(s, svc.cluster, svc.name, &err) < 0) ||
	    service_store_put(s, &svc, &err) < 0 ||
	    service_placement_put(s, svc.cluster, svc.name, constraints, strategies, &err) < 0 ||
	    deployment_store_start(s, svc.cluster, svc.name, family, revision, NULL, &d, &err) < 0)
		return api_store_fail(f, &err);
	return done(s, &svc, ret, f);
}

static int service_is_active(const struct service *svc, struct api_fault *f)
{
	if (strcmp(svc->status, "ACTIVE") != 0)
		return api_fail(f, "ServiceNotActiveException", "Service was not ACTIVE.");
	return 0;
}

int ecs_update_service(struct hub_store *s, const cJSON *req, cJSON **ret, struct api_fault *f)
{
	char cluster[256], family[256];
	struct service svc;
	long long revision;
	bool given, force = false;
	struct error err = { 0 };
	if (api_cluster(s, req, cluster, f) < 0 ||
	    task_definition(s, req, false, family, &revision, &given, f) < 0 ||
	    opt_bool(req, "forceNewDeployment", &force, f) < 0)
		return -EINVAL;
	if (hub_store_begin(s, &err) < 0)
		return api_store_fail(f, &err);
	if (api_service(s, cluster, req, "service", &svc, f) < 0 || service_is_active(&svc, f) < 0 ||
	    read_deployment_config(req, "UpdateService", &svc, f) < 0)
		return -EINVAL;
	const cJSON *count = cJSON_GetObjectItemCaseSensitive(req, "desiredCount");
	if (count && !cJSON_IsNull(count)) {
		if (strcmp(svc.strategy, "DAEMON") == 0)
			return api_fail(f, "InvalidParameterException",
					"The daemon scheduling strategy does not support a desired"
					" count for services.");
		if (api_opt_int(req, "desiredCount", 0, DESIRED_COUNT_MAX, 0, &svc.desired, f) < 0)
			return -EINVAL;
	}
	_cleanup_free_ struct deployment *deps = NULL;
	size_t n = 0;
	if (deployment_store_list(s, cluster, svc.name, false, &deps, &n, &err) < 0)
		return api_store_fail(f, &err);
	const struct deployment *primary = NULL;
	for (size_t i = 0; i < n; i++)
		if (strcmp(deps[i].status, "PRIMARY") == 0)
			primary = &deps[i];
	if (!given && primary) {
		snprintf(family, sizeof(family), "%s", primary->family);
		revision = primary->revision;
	}
	bool changed = !primary || strcmp(primary->family, family) != 0 ||
		       primary->revision != revision;
	struct deployment d;
	if ((changed || force) &&
	    deployment_store_start(s, cluster, svc.name, family, revision, NULL, &d, &err) < 0)
		return api_store_fail(f, &err);
	svc.steady = false;
	if (service_store_put(s, &svc, &err) < 0)
		return api_store_fail(f, &err);
	return done(s, &svc, ret, f);
}

int ecs_delete_service(struct hub_store *s, const cJSON *req, cJSON **ret, struct api_fault *f)
{
	char cluster[256];
	struct service svc;
	bool force = false;
	struct error err = { 0 };
	if (api_cluster(s, req, cluster, f) < 0 || opt_bool(req, "force", &force, f) < 0)
		return -EINVAL;
	if (hub_store_begin(s, &err) < 0)
		return api_store_fail(f, &err);
	if (api_service(s, cluster, req, "service", &svc, f) < 0)
		return -EINVAL;
	if (strcmp(svc.status, "INACTIVE") == 0)
		return api_fail(f, "ServiceNotActiveException", "Service was not ACTIVE.");
	if (strcmp(svc.strategy, "REPLICA") == 0 && svc.desired > 0 && !force)
		return api_fail(f, "InvalidParameterException",
				"The service cannot be stopped while it is scaled above 0.");
	svc.desired = 0;
	snprintf(svc.status, sizeof(svc.status), "DRAINING");
	if (service_store_put(s, &svc, &err) < 0)
		return api_store_fail(f, &err);
	return done(s, &svc, ret, f);
}
