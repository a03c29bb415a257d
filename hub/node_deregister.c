#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "common/cleanup.h"
#include "hub/node_deregister.h"
#include "hub/tasks/task_store.h"

int node_find_instance(struct hub_store *s, const char *cluster, const char *instance_id,
		       char ret_node_id[64], char ret_status[NODE_STATUS_MAX], struct error *err)
{
	_cleanup_stmt_ sqlite3_stmt *st = hub_store_prepare(
		s, "SELECT node_id, status FROM nodes WHERE cluster = ? AND instance_id = ?", err);
	if (!st)
		return -EIO;
	sqlite3_bind_text(st, 1, cluster, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, instance_id, -1, SQLITE_STATIC);
	if (sqlite3_step(st) != SQLITE_ROW)
		return 1;
	snprintf(ret_node_id, 64, "%s", col_text(st, 0));
	snprintf(ret_status, NODE_STATUS_MAX, "%s", col_text(st, 1));
	return 0;
}

int node_deregister(struct hub_store *s, const char *node_id, const char *reason,
		    struct error *err)
{
	if (hub_store_exec_text(s, "UPDATE nodes SET status = 'INACTIVE' WHERE node_id = ?", err, 1,
				node_id) < 0 ||
	    task_store_orphan_node(s, node_id, reason, err) < 0)
		return -EIO;
	/* The server wakes the node's link after the commit; the link then sees it INACTIVE. */
	return hub_store_wake_after_commit(s, node_id, err);
}

bool node_is_active(struct hub_store *s, const char *node_id)
{
	_cleanup_stmt_ sqlite3_stmt *st =
		hub_store_prepare(s, "SELECT status FROM nodes WHERE node_id = ?", NULL);
	if (!st)
		return true;
	sqlite3_bind_text(st, 1, node_id, -1, SQLITE_STATIC);
	int rc = sqlite3_step(st);
	if (rc == SQLITE_DONE)
		return false;
	return rc != SQLITE_ROW || strcmp(col_text(st, 0), "INACTIVE") != 0;
}
