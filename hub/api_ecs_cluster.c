/* ECS clusters: CreateCluster, ListClusters, DescribeClusters, DeleteCluster. "default" exists
 * from the start; deleted, it is INACTIVE like any other until CreateCluster makes it again. */
#include <errno.h>
#include <string.h>

#include "common/cleanup.h"
#include "hub/api.h"
#include "hub/api_tags.h"
#include "hub/tag_store.h"
#include "hub/tasks/task_store.h"
#include "protocol/arn.h"
#include "protocol/taskdef_container.h"

/* "ACTIVE", "INACTIVE" (deleted), or NULL when there is no such cluster. */
static const char *cluster_status(struct hub_store *s, const char *name)
{
	_cleanup_stmt_ sqlite3_stmt *st = hub_store_prepare(
		s, "SELECT coalesce(status, 'ACTIVE') = 'ACTIVE' FROM clusters WHERE name = ?", NULL);
	if (!st)
		return NULL;
	sqlite3_bind_text(st, 1, name, -1, SQLITE_STATIC);
	if (sqlite3_step(st) != SQLITE_ROW)
		return NULL;
	return sqlite3_column_int(st, 0) ? "ACTIVE" : "INACTIVE";
}

static cJSON *cluster_json(struct hub_store *s, const char *name, bool with_tags)
{
	cJSON *c = cJSON_CreateObject();
	_cleanup_free_ char *arn = arn_cluster(name);
	const char *status = cluster_status(s, name);
	cJSON_AddStringToObject(c, "clusterArn", arn ? arn : "");
	cJSON_AddStringToObject(c, "clusterName", name);
	cJSON_AddStringToObject(c, "status", status ? status : "INACTIVE");
	if (with_tags)
		api_tags_add(s, c, arn ? arn : "");
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
	const cJSON *tags;
	if (api_opt_string(req, "clusterName", &name, f) < 0 ||
	    api_tags_member(req, "tags", &tags, f) < 0)
		return -EINVAL;
	if (!name)
		name = "default";
	if (!taskdef_name_is_valid(name))
		return api_fail(f, "InvalidParameterException",
				"clusterName must be 1-255 letters, digits, hyphens or underscores");
	struct error err = { 0 };
	_cleanup_free_ char *arn = arn_cluster(name);
	if (!arn)
		return api_fail(f, "ServerException", "out of memory");
	if (hub_store_begin(s, &err) < 0)
		return api_store_fail(f, &err);
	/* A deleted cluster's name makes a new cluster, as ECS: ACTIVE again, created now. */
	sqlite3_stmt *st = hub_store_prepare(
		s, "INSERT INTO clusters(name, created_at) VALUES(?1, ?2) ON CONFLICT(name) DO UPDATE"
		   " SET status = NULL, created_at = ?2 WHERE status = 'INACTIVE'", &err);
	if (!st)
		return api_store_fail(f, &err);
	sqlite3_bind_text(st, 1, name, -1, SQLITE_STATIC);
	sqlite3_bind_double(st, 2, hub_now());
	if (hub_store_step_done(s, st, &err) < 0)
		return api_store_fail(f, &err);
	if (tags && api_tags_put(s, arn, tags, f) < 0)
		return -EINVAL;
	if (hub_store_commit(s, &err) < 0)
		return api_store_fail(f, &err);
	*ret = cJSON_CreateObject();
	cJSON_AddItemToObject(*ret, "cluster", cluster_json(s, name, tags != NULL));
	return 0;
}

int ecs_list_clusters(struct hub_store *s, const cJSON *req, cJSON **ret, struct api_fault *f)
{
	if (api_check_max_results(req, f) < 0)
		return -EINVAL;
	struct error err = { 0 };
	_cleanup_stmt_ sqlite3_stmt *st =
		hub_store_prepare(s, "SELECT name FROM clusters WHERE coalesce(status, 'ACTIVE') = 'ACTIVE'"
				  " ORDER BY name", &err);
	if (!st)
		return api_store_fail(f, &err);
	cJSON *o = cJSON_CreateObject(), *arns = cJSON_AddArrayToObject(o, "clusterArns");
	/* Deleted clusters are not listed, as ECS. */
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
	bool want_tags;
	if (api_describe_list(req, "clusters", "clusters", false, &names, f) < 0 ||
	    api_include_tags(req, "", &want_tags, f) < 0)
		return -EINVAL;
	cJSON *o = cJSON_CreateObject();
	cJSON *clusters = cJSON_AddArrayToObject(o, "clusters");
	cJSON *failures = cJSON_AddArrayToObject(o, "failures");
	const cJSON *item;
	cJSON_ArrayForEach(item, names)
	{
		const char *name = cJSON_IsString(item) ? arn_resource_id(item->valuestring, "cluster")
							: NULL;
		/* A deleted cluster is described as INACTIVE, as ECS. */
		if (name && cluster_status(s, name))
			cJSON_AddItemToArray(clusters, cluster_json(s, name, want_tags));
		else
			api_add_failure(failures, cJSON_IsString(item) ? item->valuestring : "",
					"MISSING");
	}
	if (!names) /* no list: the default cluster, as ECS */
		cJSON_AddItemToArray(clusters, cluster_json(s, "default", want_tags));
	*ret = o;
	return 0;
}

/* Refuses, as ECS does, to delete a cluster that still has instances or tasks. */
static int cluster_refuse_delete(struct hub_store *s, const char *name, struct api_fault *f)
{
	_cleanup_stmt_ sqlite3_stmt *st = hub_store_prepare(
		s, "SELECT count(*) FROM nodes WHERE cluster = ?1 AND status != 'INACTIVE'", NULL);
	if (!st)
		return api_fail(f, "ServerException", "store failure");
	sqlite3_bind_text(st, 1, name, -1, SQLITE_STATIC);
	if (sqlite3_step(st) == SQLITE_ROW && sqlite3_column_int64(st, 0) > 0)
		return api_fail(f, "ClusterContainsContainerInstancesException",
				"The Cluster cannot be deleted while Container Instances are active or"
				" draining.");
	long long running = 0, pending = 0;
	if (task_store_cluster_counts(s, name, &running, &pending, NULL) < 0)
		return api_fail(f, "ServerException", "store failure");
	if (running + pending > 0)
		return api_fail(f, "ClusterContainsTasksException",
				"The Cluster cannot be deleted while Tasks are active.");
	/* Services, once the hub keeps them, refuse here with ClusterContainsServicesException
	 * ("The Cluster cannot be deleted while Services are active.") while any is ACTIVE or
	 * DRAINING. */
	return 0;
}

int ecs_delete_cluster(struct hub_store *s, const cJSON *req, cJSON **ret, struct api_fault *f)
{
	char name[256];
	if (!cJSON_GetObjectItemCaseSensitive(req, "cluster"))
		return api_fail(f, "InvalidParameterException", "cluster is required");
	if (api_cluster(s, req, name, f) < 0)
		return -EINVAL;
	struct error err = { 0 };
	_cleanup_free_ char *arn = arn_cluster(name);
	if (!arn)
		return api_fail(f, "ServerException", "out of memory");
	if (hub_store_begin(s, &err) < 0)
		return api_store_fail(f, &err);
	if (cluster_refuse_delete(s, name, f) < 0)
		return -EINVAL;
	/* Its tags go: a cluster made again under this name starts without them. */
	if (hub_store_exec_text(s, "UPDATE clusters SET status = 'INACTIVE' WHERE name = ?", &err, 1,
				name) < 0 ||
	    tag_store_forget(s, arn, &err) < 0 || hub_store_commit(s, &err) < 0)
		return api_store_fail(f, &err);
	*ret = cJSON_CreateObject();
	cJSON_AddItemToObject(*ret, "cluster", cluster_json(s, name, false));
	return 0;
}
