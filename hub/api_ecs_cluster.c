/* ECS clusters: CreateCluster, ListClusters, DescribeClusters. "default" always exists. */
#include <errno.h>
#include <string.h>

#include "common/cleanup.h"
#include "hub/api.h"
#include "hub/tasks/task_store.h"
#include "protocol/arn.h"
#include "protocol/taskdef_container.h"

static cJSON *cluster_json(struct hub_store *s, const char *name)
{
	cJSON *c = cJSON_CreateObject();
	_cleanup_free_ char *arn = arn_cluster(name);
	cJSON_AddStringToObject(c, "clusterArn", arn ? arn : "");
	cJSON_AddStringToObject(c, "clusterName", name);
	cJSON_AddStringToObject(c, "status", "ACTIVE");
	long long counts[3] = { 0 };
	_cleanup_stmt_ sqlite3_stmt *st = hub_store_prepare(
		s, "SELECT count(*) FROM nodes WHERE cluster = ?1 AND status = 'ACTIVE'", NULL);
	if (st) {
		sqlite3_bind_text(st, 1, name, -1, SQLITE_STATIC);
		if (sqlite3_step(st) == SQLITE_ROW)
			counts[0] = sqlite3_column_int64(st, 0);
	}
	if (task_store_cluster_counts(s, name, &counts[1], &counts[2], NULL) < 0)
		counts[1] = counts[2] = 0;
	cJSON_AddNumberToObject(c, "registeredContainerInstancesCount", (double)counts[0]);
	cJSON_AddNumberToObject(c, "runningTasksCount", (double)counts[1]);
	cJSON_AddNumberToObject(c, "pendingTasksCount", (double)counts[2]);
	cJSON_AddNumberToObject(c, "activeServicesCount", 0);
	return c;
}

int ecs_create_cluster(struct hub_store *s, const cJSON *req, cJSON **ret, struct api_fault *f)
{
	const char *name;
	if (api_opt_string(req, "clusterName", &name, f) < 0)
		return -EINVAL;
	if (!name)
		name = "default";
	if (!taskdef_name_is_valid(name))
		return api_fail(f, "InvalidParameterException",
				"clusterName must be 1-255 letters, digits, hyphens or underscores");
	struct error err = { 0 };
	sqlite3_stmt *st = hub_store_prepare(
		s, "INSERT OR IGNORE INTO clusters(name, created_at) VALUES(?, ?)", &err);
	if (!st)
		return api_store_fail(f, &err);
	sqlite3_bind_text(st, 1, name, -1, SQLITE_STATIC);
	sqlite3_bind_double(st, 2, hub_now());
	if (hub_store_step_done(s, st, &err) < 0)
		return api_store_fail(f, &err);
	*ret = cJSON_CreateObject();
	cJSON_AddItemToObject(*ret, "cluster", cluster_json(s, name));
	return 0;
}

int ecs_list_clusters(struct hub_store *s, const cJSON *req, cJSON **ret, struct api_fault *f)
{
	if (api_check_max_results(req, f) < 0)
		return -EINVAL;
	struct error err = { 0 };
	_cleanup_stmt_ sqlite3_stmt *st =
		hub_store_prepare(s, "SELECT name FROM clusters ORDER BY name", &err);
	if (!st)
		return api_store_fail(f, &err);
	cJSON *o = cJSON_CreateObject(), *arns = cJSON_AddArrayToObject(o, "clusterArns");
	while (sqlite3_step(st) == SQLITE_ROW) {
		_cleanup_free_ char *arn = arn_cluster(col_text(st, 0));
		cJSON_AddItemToArray(arns, cJSON_CreateString(arn ? arn : ""));
	}
	if (api_page(req, o, "clusterArns", f) < 0) {
		cJSON_Delete(o);
		return -EINVAL;
	}
	*ret = o;
	return 0;
}

int ecs_describe_clusters(struct hub_store *s, const cJSON *req, cJSON **ret, struct api_fault *f)
{
	const cJSON *names;
	if (api_describe_list(req, "clusters", "clusters", false, &names, f) < 0)
		return -EINVAL;
	cJSON *o = cJSON_CreateObject();
	cJSON *clusters = cJSON_AddArrayToObject(o, "clusters");
	cJSON *failures = cJSON_AddArrayToObject(o, "failures");
	const cJSON *item;
	cJSON_ArrayForEach(item, names)
	{
		struct api_fault ignored = { 0 };
		char name[256];
		cJSON *req1 = cJSON_CreateObject();
		cJSON_AddItemToObject(req1, "cluster", cJSON_Duplicate(item, 0));
		if (api_cluster(s, req1, name, &ignored) == 0) {
			cJSON_AddItemToArray(clusters, cluster_json(s, name));
		} else {
			api_add_failure(failures, cJSON_IsString(item) ? item->valuestring : "",
					"MISSING");
		}
		cJSON_Delete(req1);
	}
	if (!names) /* no list: the default cluster, as ECS */
		cJSON_AddItemToArray(clusters, cluster_json(s, "default"));
	*ret = o;
	return 0;
}
