#include <errno.h>
#include <stdio.h>

#include "hub/scheduler.h"

int scheduler_reserved(struct hub_store *s, const char *node_id, long long *ret_cpu,
		       long long *ret_memory)
{
	_cleanup_stmt_ sqlite3_stmt *st = hub_store_prepare(
		s, "SELECT coalesce(sum(cpu), 0), coalesce(sum(memory), 0) FROM tasks"
		   " WHERE node_id = ? AND last_status != 'STOPPED'", NULL);
	if (!st)
		return -EIO;
	sqlite3_bind_text(st, 1, node_id, -1, SQLITE_STATIC);
	if (sqlite3_step(st) != SQLITE_ROW)
		return -EIO;
	*ret_cpu = sqlite3_column_int64(st, 0);
	*ret_memory = sqlite3_column_int64(st, 1);
	return 0;
}

int scheduler_place(struct hub_store *s, const char *cluster, uint32_t cpu, uint32_t memory,
		    char node_id[64], const char **ret_reason, struct error *err)
{
	/* Every node's free resources in one pass over the tasks, not one query per node: a
	 * cluster of thousands of nodes is placed in one statement. */
	_cleanup_stmt_ sqlite3_stmt *st = hub_store_prepare(
		s, "SELECT n.node_id, n.cpu - coalesce(r.cpu, 0), n.memory - coalesce(r.memory, 0),"
		   " n.connected FROM nodes n LEFT JOIN (SELECT node_id, sum(cpu) AS cpu,"
		   " sum(memory) AS memory FROM tasks WHERE last_status != 'STOPPED'"
		   " GROUP BY node_id) r USING(node_id)"
		   " WHERE n.cluster = ? AND n.status = 'ACTIVE' ORDER BY n.node_id", err);
	if (!st)
		return -EIO;
	sqlite3_bind_text(st, 1, cluster, -1, SQLITE_STATIC);
	const char *reason = "NO_ACTIVE_INSTANCES";
	long long best = -1;
	while (sqlite3_step(st) == SQLITE_ROW) {
		if (!sqlite3_column_int(st, 3)) {
			if (best < 0)
				reason = "AGENT";
			continue;
		}
		long long free_cpu = sqlite3_column_int64(st, 1);
		long long free_mem = sqlite3_column_int64(st, 2);
		if (free_mem < (long long)memory) {
			reason = "RESOURCE:MEMORY";
			continue;
		}
		if (free_cpu < (long long)cpu) {
			reason = "RESOURCE:CPU";
			continue;
		}
		if (free_mem > best) {
			best = free_mem;
			snprintf(node_id, 64, "%s", col_text(st, 0));
		}
	}
	if (best < 0) {
		*ret_reason = reason;
		return 1;
	}
	return 0;
}
