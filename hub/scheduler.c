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
	_cleanup_stmt_ sqlite3_stmt *st = hub_store_prepare(
		s, "SELECT node_id, cpu, memory, connected FROM nodes"
		   " WHERE cluster = ? AND status = 'ACTIVE' ORDER BY node_id", err);
	if (!st)
		return -EIO;
	sqlite3_bind_text(st, 1, cluster, -1, SQLITE_STATIC);
	const char *reason = "NO_ACTIVE_INSTANCES";
	long long best = -1;
	while (sqlite3_step(st) == SQLITE_ROW) {
		const char *id = col_text(st, 0);
		long long used_cpu, used_mem;
		if (!sqlite3_column_int(st, 3)) {
			if (best < 0)
				reason = "AGENT";
			continue;
		}
		if (scheduler_reserved(s, id, &used_cpu, &used_mem) < 0)
			return error_set(err, EIO, "reading reservations of %s", id);
		long long free_cpu = sqlite3_column_int64(st, 1) - used_cpu;
		long long free_mem = sqlite3_column_int64(st, 2) - used_mem;
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
			snprintf(node_id, 64, "%s", id);
		}
	}
	if (best < 0) {
		*ret_reason = reason;
		return 1;
	}
	return 0;
}
