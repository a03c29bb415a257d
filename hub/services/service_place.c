#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "common/cleanup.h"
#include "hub/placement/placement_spec.h"
#include "hub/services/service_place.h"
#include "hub/tasks/scheduler.h"

/* The definition's memberOf constraints hold for a service's tasks as for RunTask's. Without
 * them placement takes its plain path (the instance with the most memory left, which spreads
 * equal tasks over equal instances) at the cost of one indexed query, not a read of every
 * instance per task: a pass may start thousands. */
static int service_spec(const struct taskdef *td, const struct service_placement *sp,
			struct placement_spec *spec, struct error *err)
{
	if (placement_spec_add_definition(spec, td, err) < 0 ||
	    placement_spec_add_constraints(spec, sp ? sp->constraints : NULL, err) < 0 ||
	    placement_spec_set_strategies(spec, sp ? sp->strategies : NULL, err) < 0)
		return -EINVAL;
	return 0;
}

/* A DAEMON task's own instance, checked alone (one row): the pass places one per node. */
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

/* A DAEMON task of a constrained definition goes on its instance only if the instance meets
 * them: the instance named is one more memberOf. */
static int only_on(struct hub_store *s, const char *node_id, struct placement_spec *spec,
		   struct error *err)
{
	_cleanup_stmt_ sqlite3_stmt *st =
		hub_store_prepare(s, "SELECT instance_id FROM nodes WHERE node_id = ?", err);
	if (!st)
		return -EIO;
	sqlite3_bind_text(st, 1, node_id, -1, SQLITE_STATIC);
	if (sqlite3_step(st) != SQLITE_ROW)
		return error_set(err, ENOENT, "node %s is gone", node_id);
	char expression[128];
	snprintf(expression, sizeof(expression), "ec2InstanceId == %s", col_text(st, 0));
	return placement_spec_add_member_of(spec, expression, "the DAEMON task's instance", err);
}

int service_place(struct hub_store *s, const char *cluster, const char *group,
		  const struct taskdef *td, const struct service_placement *sp,
		  const char *only_node, char node_id[64], const char **ret_reason,
		  struct error *err)
{
	bool constrained = td->n_placement_expressions > 0 || (sp && (sp->constraints || sp->strategies));
	if (only_node && !constrained)
		return place_on(s, cluster, td, only_node, node_id, ret_reason, err);
	_cleanup_(placement_spec_release) struct placement_spec spec = { 0 };
	if (service_spec(td, sp, &spec, err) < 0 ||
	    (only_node && only_on(s, only_node, &spec, err) < 0))
		return error_wrap(err, "placing a task of %s", group);
	struct placement_request req = { .cluster = cluster, .cpu = taskdef_reserved_cpu(td),
					  .memory = taskdef_reserved_memory_mib(td), .spec = &spec,
					  .group = group };
	char placed[1][64];
	const char *reasons[1] = { NULL };
	int r = scheduler_place_tasks(s, &req, 1, placed, reasons, err);
	if (r < 0)
		return r;
	if (r == 0 || !placed[0][0]) {
		*ret_reason = reasons[0] ? reasons[0] : "NO_ACTIVE_INSTANCES";
		return 1;
	}
	snprintf(node_id, 64, "%s", placed[0]);
	return 0;
}
