#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/cleanup.h"
#include "hub/tasks/task_view.h"
#include "protocol/arn.h"
#include "protocol/json_value.h"

static void add_text_or_skip(cJSON *o, const char *name, sqlite3_stmt *st, int col)
{
	if (sqlite3_column_type(st, col) != SQLITE_NULL)
		cJSON_AddStringToObject(o, name, col_text(st, col));
}

static void add_time_or_skip(cJSON *o, const char *name, sqlite3_stmt *st, int col)
{
	if (sqlite3_column_type(st, col) != SQLITE_NULL)
		cJSON_AddNumberToObject(o, name, sqlite3_column_double(st, col));
}

static void add_arn(cJSON *o, const char *name, char *arn)
{
	cJSON_AddStringToObject(o, name, arn ? arn : "");
	free(arn);
}

static cJSON *containers_view(struct hub_store *s, const char *cluster, const char *task_id,
			      const char *task_arn)
{
	cJSON *list = cJSON_CreateArray();
	_cleanup_stmt_ sqlite3_stmt *st = hub_store_prepare(
		/* A running container's reason is the output of its failing health check: the
		 * member the aws CLI shows (botocore drops members ECS's model lacks). */
		s, "SELECT name, image, last_status, exit_code,"
		   " coalesce(reason, CASE WHEN last_status != 'STOPPED' THEN health_output END),"
		   " health_status, cpu, memory, memory_reservation, runtime_id, restart_count"
		   " FROM containers"
		   " WHERE task_id = ? ORDER BY idx", NULL);
	if (!st)
		return list;
	sqlite3_bind_text(st, 1, task_id, -1, SQLITE_STATIC);
	while (sqlite3_step(st) == SQLITE_ROW) {
		cJSON *c = cJSON_CreateObject();
		add_arn(c, "containerArn", arn_container(cluster, task_id, col_text(st, 0)));
		cJSON_AddStringToObject(c, "taskArn", task_arn);
		cJSON_AddStringToObject(c, "name", col_text(st, 0));
		cJSON_AddStringToObject(c, "image", col_text(st, 1));
		cJSON_AddStringToObject(c, "lastStatus", col_text(st, 2));
		if (sqlite3_column_type(st, 3) != SQLITE_NULL)
			cJSON_AddNumberToObject(c, "exitCode", sqlite3_column_int(st, 3));
		add_text_or_skip(c, "reason", st, 4);
		add_text_or_skip(c, "healthStatus", st, 5);
		/* ECS shows cpu as a string and the memory limits as strings too. */
		add_text_or_skip(c, "cpu", st, 6);
		add_text_or_skip(c, "memory", st, 7);
		add_text_or_skip(c, "memoryReservation", st, 8);
		add_text_or_skip(c, "runtimeId", st, 9);
		/* Only for a container whose restart policy is enabled (botocore drops it). */
		if (sqlite3_column_type(st, 10) != SQLITE_NULL)
			cJSON_AddNumberToObject(c, "restartCount", sqlite3_column_int(st, 10));
		cJSON_AddItemToArray(list, c);
	}
	return list;
}

/* As ECS shows them: what RunTask was given, and every container not named there with its
 * name only. */
static cJSON *overrides_view(sqlite3_stmt *st, int col, const cJSON *task)
{
	cJSON *o = NULL;
	if (sqlite3_column_type(st, col) != SQLITE_NULL)
		o = cJSON_Parse(col_text(st, col));
	if (!cJSON_IsObject(o)) {
		cJSON_Delete(o);
		o = cJSON_CreateObject();
	}
	cJSON *list = cJSON_GetObjectItemCaseSensitive(o, "containerOverrides");
	if (!cJSON_IsArray(list)) {
		cJSON_DeleteItemFromObjectCaseSensitive(o, "containerOverrides");
		list = cJSON_AddArrayToObject(o, "containerOverrides");
	}
	const cJSON *c;
	cJSON_ArrayForEach(c, cJSON_GetObjectItemCaseSensitive(task, "containers")) {
		const char *name = json_string_member(c, "name");
		bool named = false;
		const cJSON *co;
		cJSON_ArrayForEach(co, list) {
			const char *n = json_string_member(co, "name");
			named = named || (n && name && strcmp(n, name) == 0);
		}
		if (!named && name) {
			cJSON *entry = cJSON_CreateObject();
			cJSON_AddStringToObject(entry, "name", name);
			cJSON_AddItemToArray(list, entry);
		}
	}
	if (!cJSON_HasObjectItem(o, "inferenceAcceleratorOverrides"))
		cJSON_AddArrayToObject(o, "inferenceAcceleratorOverrides");
	return o;
}

cJSON *task_view(struct hub_store *s, const char *cluster, const char *task_id)
{
	_cleanup_stmt_ sqlite3_stmt *st = hub_store_prepare(
		s, "SELECT t.cluster, t.family, t.revision, n.instance_id, t.cpu, t.memory,"
		   " t.last_status, t.desired_status, t.stop_code, t.stopped_reason, t.created_at,"
		   " t.started_at, t.stopped_at, t.version, t.pull_started_at, t.pull_stopped_at,"
		   " coalesce(t.health_status, 'UNKNOWN'), t.started_by,"
		   " coalesce(t.task_group, 'family:' || t.family), t.overrides,"
		   " CASE WHEN n.connected THEN 'CONNECTED' ELSE 'DISCONNECTED' END,"
		   " n.link_changed_at"
		   " FROM tasks t"
		   " JOIN nodes n ON n.node_id = t.node_id"
		   " WHERE t.id = ?1 AND (?2 IS NULL OR t.cluster = ?2)", NULL);
	if (!st)
		return NULL;
	sqlite3_bind_text(st, 1, task_id, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, cluster, -1, SQLITE_STATIC);
	if (sqlite3_step(st) != SQLITE_ROW)
		return NULL;
	const char *task_cluster = col_text(st, 0);
	cJSON *t = cJSON_CreateObject();
	_cleanup_free_ char *task_arn = arn_task(task_cluster, task_id);
	cJSON_AddStringToObject(t, "taskArn", task_arn ? task_arn : "");
	add_arn(t, "clusterArn", arn_cluster(task_cluster));
	add_arn(t, "taskDefinitionArn",
		arn_task_definition(col_text(st, 1), sqlite3_column_int64(st, 2)));
	add_arn(t, "containerInstanceArn", arn_container_instance(task_cluster, col_text(st, 3)));
	cJSON_AddStringToObject(t, "lastStatus", col_text(st, 6));
	cJSON_AddStringToObject(t, "desiredStatus", col_text(st, 7));
	cJSON_AddStringToObject(t, "launchType", "EXTERNAL");
	char num[32];
	snprintf(num, sizeof(num), "%lld", (long long)sqlite3_column_int64(st, 4));
	cJSON_AddStringToObject(t, "cpu", num);
	snprintf(num, sizeof(num), "%lld", (long long)sqlite3_column_int64(st, 5));
	cJSON_AddStringToObject(t, "memory", num);
	cJSON_AddItemToObject(t, "containers",
			      containers_view(s, task_cluster, task_id, task_arn ? task_arn : ""));
	add_text_or_skip(t, "stopCode", st, 8);
	add_text_or_skip(t, "stoppedReason", st, 9);
	add_time_or_skip(t, "createdAt", st, 10);
	add_time_or_skip(t, "startedAt", st, 11);
	add_time_or_skip(t, "stoppedAt", st, 12);
	/* The agent reports STOPPED once every container has exited: that is when the task's
	 * execution stopped. */
	add_time_or_skip(t, "executionStoppedAt", st, 12);
	add_time_or_skip(t, "pullStartedAt", st, 14);
	add_time_or_skip(t, "pullStoppedAt", st, 15);
	cJSON_AddStringToObject(t, "healthStatus", col_text(st, 16));
	add_text_or_skip(t, "startedBy", st, 17);
	cJSON_AddStringToObject(t, "group", col_text(st, 18));
	cJSON_AddNumberToObject(t, "version", (double)sqlite3_column_int64(st, 13));
	cJSON_AddItemToObject(t, "overrides", overrides_view(st, 19, t));
	cJSON_AddStringToObject(t, "connectivity", col_text(st, 20));
	add_time_or_skip(t, "connectivityAt", st, 21);
	return t;
}
