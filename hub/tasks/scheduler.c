#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "hub/tasks/scheduler.h"

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

/* How many of the placements taken[0..n_taken) went to node_id: they reserve on it too. */
static long long taken_on(const char *node_id, const char (*taken)[64], size_t n_taken)
{
	long long n = 0;
	for (size_t i = 0; i < n_taken; i++)
		n += strcmp(taken[i], node_id) == 0;
	return n;
}

/* scheduler_place, with the placements taken[0..n_taken) of this batch reserved as well. */
static int place_one(struct hub_store *s, const char *cluster, uint32_t cpu, uint32_t memory,
		     const char (*taken)[64], size_t n_taken, char node_id[64],
		     const char **ret_reason, struct error *err)
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
		long long taken_here = n_taken ? taken_on(col_text(st, 0), taken, n_taken) : 0;
		long long free_cpu = sqlite3_column_int64(st, 1) - taken_here * cpu;
		long long free_mem = sqlite3_column_int64(st, 2) - taken_here * memory;
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

int scheduler_place(struct hub_store *s, const char *cluster, uint32_t cpu, uint32_t memory,
		    char node_id[64], const char **ret_reason, struct error *err)
{
	return place_one(s, cluster, cpu, memory, NULL, 0, node_id, ret_reason, err);
}

struct candidate {
	char node_id[64];
	long long free_cpu, free_mem;
};

int scheduler_place_batch(struct hub_store *s, const char *cluster, uint32_t cpu, uint32_t memory,
			  size_t count, char node_ids[][64], struct error *err)
{
	if (count > SCHEDULER_BATCH_MAX)
		count = SCHEDULER_BATCH_MAX;
	/* After j placements at most j of the top nodes changed, so the best node for the next
	 * task is still among the top count: the rest of the cluster never needs a look. */
	_cleanup_stmt_ sqlite3_stmt *st = hub_store_prepare(
		s, "SELECT n.node_id, n.cpu - coalesce(r.cpu, 0) AS free_cpu,"
		   " n.memory - coalesce(r.memory, 0) AS free_mem FROM nodes n LEFT JOIN"
		   " (SELECT node_id, sum(cpu) AS cpu, sum(memory) AS memory FROM tasks"
		   " WHERE last_status != 'STOPPED' GROUP BY node_id) r USING(node_id)"
		   " WHERE n.cluster = ?1 AND n.status = 'ACTIVE' AND n.connected = 1"
		   " AND free_cpu >= ?2 AND free_mem >= ?3"
		   " ORDER BY free_mem DESC, n.node_id LIMIT ?4", err);
	if (!st)
		return -EIO;
	sqlite3_bind_text(st, 1, cluster, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 2, cpu);
	sqlite3_bind_int64(st, 3, memory);
	sqlite3_bind_int64(st, 4, (sqlite3_int64)count);
	struct candidate c[SCHEDULER_BATCH_MAX];
	size_t n = 0;
	int rc;
	while (n < count && (rc = sqlite3_step(st)) == SQLITE_ROW) {
		snprintf(c[n].node_id, sizeof(c[n].node_id), "%s", col_text(st, 0));
		c[n].free_cpu = sqlite3_column_int64(st, 1);
		c[n].free_mem = sqlite3_column_int64(st, 2);
		n++;
	}
	size_t placed = 0;
	for (; placed < count; placed++) {
		struct candidate *best = NULL;
		for (size_t i = 0; i < n; i++) {
			if (c[i].free_cpu < (long long)cpu || c[i].free_mem < (long long)memory)
				continue;
			if (!best || c[i].free_mem > best->free_mem ||
			    (c[i].free_mem == best->free_mem && strcmp(c[i].node_id, best->node_id) < 0))
				best = &c[i];
		}
		if (!best)
			break;
		best->free_cpu -= cpu;
		best->free_mem -= memory;
		memcpy(node_ids[placed], best->node_id, sizeof(best->node_id));
	}
	return (int)placed;
}

/* Resources only: the batch's top-k pass; for the first task it could not place, one pass over
 * every node with the batch's placements reserved says why (or, should it find room, places
 * it and the next is tried the same way). */
static int place_plain(struct hub_store *s, const struct placement_request *req, size_t count,
		       char node_ids[][64], const char **reasons, struct error *err)
{
	int placed = scheduler_place_batch(s, req->cluster, req->cpu, req->memory, count, node_ids,
					   err);
	if (placed < 0)
		return placed;
	for (size_t i = (size_t)placed; i < count; i++) {
		/* Tasks 0..i-1 are placed: they are the reservations this pass adds. */
		int r = place_one(s, req->cluster, req->cpu, req->memory,
				  (const char (*)[64])node_ids, i, node_ids[i], &reasons[i], err);
		if (r < 0)
			return r;
		if (r > 0) {
			for (size_t j = i + 1; j < count; j++)
				reasons[j] = reasons[i];
			return (int)i;
		}
	}
	return (int)count;
}

int scheduler_place_tasks(struct hub_store *s, const struct placement_request *req, size_t count,
			  char node_ids[][64], const char **reasons, struct error *err)
{
	if (count > SCHEDULER_BATCH_MAX)
		return error_set(err, EINVAL, "at most %d tasks are placed at once",
				 SCHEDULER_BATCH_MAX);
	for (size_t i = 0; i < count; i++) {
		node_ids[i][0] = '\0';
		reasons[i] = NULL;
	}
	if (!req->spec || placement_spec_is_plain(req->spec))
		return place_plain(s, req, count, node_ids, reasons, err);
	return scheduler_place_constrained(s, req, count, node_ids, reasons, err);
}
