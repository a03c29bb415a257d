#include <errno.h>
#include <string.h>

#include "common/cleanup.h"
#include "hub/tasks/instance_fit.h"
#include "hub/tasks/scheduler.h"

int instance_fit(struct hub_store *s, const char *node_id, uint32_t cpu, uint32_t memory,
		 const char **ret_reason, struct error *err)
{
	_cleanup_stmt_ sqlite3_stmt *st = hub_store_prepare(
		s, "SELECT status, connected, cpu, memory FROM nodes WHERE node_id = ?", err);
	if (!st)
		return -EIO;
	sqlite3_bind_text(st, 1, node_id, -1, SQLITE_STATIC);
	if (sqlite3_step(st) != SQLITE_ROW) {
		*ret_reason = "MISSING";
		return 1;
	}
	const char *status = col_text(st, 0);
	if (strcmp(status, "ACTIVE") != 0) {
		*ret_reason = strcmp(status, "DRAINING") == 0 ? "DRAINING" : "INACTIVE";
		return 1;
	}
	if (!sqlite3_column_int(st, 1)) {
		*ret_reason = "AGENT";
		return 1;
	}
	long long used_cpu, used_memory;
	if (scheduler_reserved(s, node_id, &used_cpu, &used_memory) < 0)
		return error_set(err, EIO, "reserved resources of %s: %s", node_id,
				 sqlite3_errmsg(s->db));
	if (sqlite3_column_int64(st, 3) - used_memory < (long long)memory) {
		*ret_reason = "RESOURCE:MEMORY";
		return 1;
	}
	if (sqlite3_column_int64(st, 2) - used_cpu < (long long)cpu) {
		*ret_reason = "RESOURCE:CPU";
		return 1;
	}
	return 0;
}
