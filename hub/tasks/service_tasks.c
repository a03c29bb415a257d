#include <errno.h>

#include "common/cleanup.h"
#include "hub/tasks/service_tasks.h"

int service_tasks_each(struct hub_store *s, const char *cluster, const char *group,
		       void (*fn)(const struct service_task *t, void *data), void *data,
		       struct error *err)
{
	_cleanup_stmt_ sqlite3_stmt *st = hub_store_prepare(
		s, "SELECT t.id, t.started_by, t.node_id, t.last_status, t.health_status, n.status,"
		   " n.connected FROM tasks t JOIN nodes n USING(node_id)"
		   " WHERE t.cluster = ?1 AND t.task_group = ?2 AND t.desired_status = 'RUNNING'"
		   " AND t.last_status != 'STOPPED' ORDER BY t.created_at, t.id", err);
	if (!st)
		return -EIO;
	sqlite3_bind_text(st, 1, cluster, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, group, -1, SQLITE_STATIC);
	int rc;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		struct service_task t = {
			.id = col_text(st, 0), .started_by = col_text(st, 1),
			.node_id = col_text(st, 2), .last_status = col_text(st, 3),
			.health_status = col_text(st, 4), .node_status = col_text(st, 5),
			.node_connected = sqlite3_column_int(st, 6),
		};
		fn(&t, data);
	}
	return rc == SQLITE_DONE ? 0 : error_set(err, EIO, "reading a service's tasks");
}

int service_tasks_count(struct hub_store *s, const char *cluster, const char *group,
			const char *started_by, bool with_stopping, long long *ret_running,
			long long *ret_pending, struct error *err)
{
	_cleanup_stmt_ sqlite3_stmt *st = hub_store_prepare(
		s, "SELECT coalesce(sum(last_status = 'RUNNING'), 0),"
		   " coalesce(sum(last_status IN ('PROVISIONING', 'PENDING')), 0) FROM tasks"
		   " WHERE cluster = ?1 AND task_group = ?2 AND last_status != 'STOPPED'"
		   " AND (?3 IS NULL OR started_by = ?3) AND (?4 OR desired_status = 'RUNNING')", err);
	if (!st)
		return -EIO;
	sqlite3_bind_text(st, 1, cluster, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, group, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 3, started_by, -1, SQLITE_STATIC);
	sqlite3_bind_int(st, 4, with_stopping);
	if (sqlite3_step(st) != SQLITE_ROW)
		return error_set(err, EIO, "counting a service's tasks");
	*ret_running = sqlite3_column_int64(st, 0);
	*ret_pending = sqlite3_column_int64(st, 1);
	return 0;
}

long long service_tasks_failed(struct hub_store *s, const char *cluster, const char *group,
			       const char *started_by, struct error *err)
{
	_cleanup_stmt_ sqlite3_stmt *st = hub_store_prepare(
		s, "SELECT count(*) FROM tasks WHERE cluster = ?1 AND task_group = ?2"
		   " AND started_by = ?3 AND last_status = 'STOPPED'"
		   " AND (coalesce(stop_code, '') NOT IN ('UserInitiated', 'ServiceSchedulerInitiated')"
		   " OR stopped_reason LIKE 'Task failed container health checks%')", err);
	if (!st)
		return -EIO;
	sqlite3_bind_text(st, 1, cluster, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, group, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 3, started_by, -1, SQLITE_STATIC);
	return sqlite3_step(st) == SQLITE_ROW ? sqlite3_column_int64(st, 0) : 0;
}
