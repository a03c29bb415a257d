/* The task rows the reconciliation after a welcome reads and writes (hub/tasks/task_reconcile.h),
 * declared with the rest of the task store in hub/tasks/task_store.h. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "common/cleanup.h"
#include "hub/tasks/task_store.h"
#include "protocol/json_value.h"

int task_store_owner(struct hub_store *s, const char *task_id, char **ret_node_id,
		     bool *ret_desired_stopped, struct error *err)
{
	_cleanup_stmt_ sqlite3_stmt *st = hub_store_prepare(
		s, "SELECT node_id, desired_status FROM tasks WHERE id = ?", err);
	if (!st)
		return -EIO;
	sqlite3_bind_text(st, 1, task_id, -1, SQLITE_STATIC);
	int r = sqlite3_step(st);
	if (r == SQLITE_DONE)
		return 0;
	if (r != SQLITE_ROW)
		return error_set(err, EIO, "read task %s: %s", task_id, sqlite3_errmsg(s->db));
	*ret_node_id = strdup(col_text(st, 0));
	if (!*ret_node_id)
		return error_set(err, ENOMEM, "out of memory");
	*ret_desired_stopped = strcmp(col_text(st, 1), "STOPPED") == 0;
	return 1;
}

int task_store_adopt(struct hub_store *s, const struct task_store_new *t, struct error *err)
{
	if (task_store_insert(s, t, err) < 0)
		return -EIO;
	/* The node has it already: delivered, and at least PENDING; its state follows. */
	return hub_store_exec_text(s, "UPDATE tasks SET delivered = 1, last_status = 'PENDING'"
				      " WHERE id = ?", err, 1, t->id);
}

int task_store_adoption_revision(struct hub_store *s, const char *family, const cJSON *definition,
				 long long *ret, struct error *err)
{
	_cleanup_stmt_ sqlite3_stmt *st = hub_store_prepare(
		s, "SELECT revision, body FROM taskdefs WHERE family = ? ORDER BY revision DESC", err);
	if (!st)
		return -EIO;
	sqlite3_bind_text(st, 1, family, -1, SQLITE_STATIC);
	*ret = 0;
	while (sqlite3_step(st) == SQLITE_ROW) {
		_cleanup_(cjson_deletep) cJSON *body = cJSON_Parse(col_text(st, 1));
		if (body && cJSON_Compare(body, definition, true)) {
			*ret = sqlite3_column_int64(st, 0);
			break;
		}
	}
	return 0;
}

int task_store_node_delivered(struct hub_store *s, const char *node_id,
			      void (*fn)(const char *task_id, void *data), void *data,
			      struct error *err)
{
	_cleanup_stmt_ sqlite3_stmt *st = hub_store_prepare(
		s, "SELECT id FROM tasks WHERE node_id = ? AND delivered = 1"
		   " AND last_status != 'STOPPED'", err);
	if (!st)
		return -EIO;
	sqlite3_bind_text(st, 1, node_id, -1, SQLITE_STATIC);
	while (sqlite3_step(st) == SQLITE_ROW)
		fn(col_text(st, 0), data);
	return 0;
}
