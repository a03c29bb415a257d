#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "common/cleanup.h"
#include "hub/services/service_place.h"
#include "hub/tasks/scheduler.h"

static int place_on(struct hub_store *s, const char *cluster, const struct taskdef *td,
		    const char *only_node, char node_id[64], const char **ret_reason,
		    struct error *err)
{
	_cleanup_stmt_ sqlite3_stmt *st = hub_store_prepare(
		s, "SELECT cpu, memory, connected, status FROM nodes WHERE node_id = ?"
		   " AND cluster = ?", err);
	if (!st)
		return -EIO;
	sqlite3_bind_text(st, 1, only_node, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, cluster, -1, SQLITE_STATIC);
	if (sqlite3_step(st) != SQLITE_ROW || strcmp(col_text(st, 3), "ACTIVE") != 0) {
		*ret_reason = "NO_ACTIVE_INSTANCES";
		return 1;
	}
	if (!sqlite3_column_int(st, 2)) {
		*ret_reason = "AGENT";
		return 1;
	}
	long long used_cpu, used_mem;
	if (scheduler_reserved(s, only_node, &used_cpu, &used_mem) < 0)
		return error_set(err, EIO, "reading node %s's reservations", only_node);
	if (sqlite3_column_int64(st, 1) - used_mem < (long long)taskdef_reserved_memory_mib(td)) {
		*ret_reason = "RESOURCE:MEMORY";
		return 1;
	}
	if (sqlite3_column_int64(st, 0) - used_cpu < (long long)taskdef_reserved_cpu(td)) {
		*ret_reason = "RESOURCE:CPU";
		return 1;
	}
	snprintf(node_id, 64, "%s", only_node);
	return 0;
}

int service_place(struct hub_store *s, const char *cluster, const struct taskdef *td,
		  const char *only_node, char node_id[64], const char **ret_reason,
		  struct error *err)
{
	if (only_node)
		return place_on(s, cluster, td, only_node, node_id, ret_reason, err);
	return scheduler_place(s, cluster, taskdef_reserved_cpu(td), taskdef_reserved_memory_mib(td),
			       node_id, ret_reason, err);
}
