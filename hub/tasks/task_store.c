#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "common/cleanup.h"
#include "hub/tasks/task_store.h"
#include "protocol/arn.h"

int task_store_insert(struct hub_store *s, const struct task_store_new *t, struct error *err)
{
	sqlite3_stmt *st = hub_store_prepare(
		s, "INSERT INTO tasks(id, cluster, family, revision, node_id, cpu, memory,"
		   " last_status, desired_status, created_at, started_by, task_group, client_token,"
		   " overrides)"
		   " VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7, 'PROVISIONING', 'RUNNING', ?8, ?9,"
		   " coalesce(?10, 'family:' || ?3), ?11, ?12)", err);
	if (!st)
		return -EIO;
	sqlite3_bind_text(st, 1, t->id, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, t->cluster, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 3, t->family, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 4, t->revision);
	sqlite3_bind_text(st, 5, t->node_id, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 6, taskdef_reserved_cpu(t->td));
	sqlite3_bind_int64(st, 7, taskdef_reserved_memory_mib(t->td));
	sqlite3_bind_double(st, 8, hub_now());
	sqlite3_bind_text(st, 9, t->started_by, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 10, t->group, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 11, t->client_token, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 12, t->overrides, -1, SQLITE_STATIC);
	if (hub_store_step_done(s, st, err) < 0)
		return -EIO;
	for (size_t i = 0; i < t->td->n_containers; i++) {
		const struct taskdef_container *c = &t->td->containers[i];
		st = hub_store_prepare(s, "INSERT INTO containers(task_id, idx, name, image,"
					  " last_status, cpu, memory, memory_reservation)"
					  " VALUES(?, ?, ?, ?, 'PENDING', ?, nullif(?, 0), nullif(?, 0))",
				       err);
		if (!st)
			return -EIO;
		sqlite3_bind_text(st, 1, t->id, -1, SQLITE_STATIC);
		sqlite3_bind_int64(st, 2, (sqlite3_int64)i);
		sqlite3_bind_text(st, 3, c->name, -1, SQLITE_STATIC);
		sqlite3_bind_text(st, 4, c->image, -1, SQLITE_STATIC);
		sqlite3_bind_int64(st, 5, c->cpu);
		sqlite3_bind_int64(st, 6, c->memory_mib);
		sqlite3_bind_int64(st, 7, c->memory_reservation_mib);
		if (hub_store_step_done(s, st, err) < 0)
			return -EIO;
	}
	return 0;
}

int task_store_stop_target(struct hub_store *s, const char *cluster, const char *task_id,
			   struct task_store_stop_target *ret, struct error *err)
{
	_cleanup_stmt_ sqlite3_stmt *st = hub_store_prepare(
		s, "SELECT node_id, desired_status, delivered FROM tasks"
		   " WHERE id = ? AND cluster = ?", err);
	if (!st)
		return -EIO;
	sqlite3_bind_text(st, 1, task_id, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, cluster, -1, SQLITE_STATIC);
	if (sqlite3_step(st) != SQLITE_ROW)
		return 1;
	*ret = (struct task_store_stop_target){
		.node_id = strdup(col_text(st, 0)),
		.stopped = strcmp(col_text(st, 1), "STOPPED") == 0,
		.delivered = sqlite3_column_int(st, 2),
	};
	return ret->node_id ? 0 : error_set(err, ENOMEM, "out of memory");
}

int task_store_request_stop(struct hub_store *s, const char *task_id, const char *reason,
			    struct error *err)
{
	return task_store_request_stop_as(s, task_id, "UserInitiated", reason, err);
}

int task_store_request_stop_as(struct hub_store *s, const char *task_id, const char *stop_code,
			       const char *reason, struct error *err)
{
	sqlite3_stmt *st = hub_store_prepare(
		s, "UPDATE tasks SET desired_status = 'STOPPED', stop_code = ?,"
		   " stopped_reason = ?, version = version + 1 WHERE id = ?", err);
	if (!st)
		return -EIO;
	sqlite3_bind_text(st, 1, stop_code, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, reason, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 3, task_id, -1, SQLITE_STATIC);
	return hub_store_step_done(s, st, err);
}

int task_store_stop_undelivered(struct hub_store *s, const char *task_id, struct error *err)
{
	if (hub_store_exec_text(s, "DELETE FROM outbox WHERE task_id = ? AND kind = 'assign'", err,
				1, task_id) < 0)
		return -EIO;
	sqlite3_stmt *st = hub_store_prepare(
		s, "UPDATE tasks SET last_status = 'STOPPED', stopped_at = ? WHERE id = ?", err);
	if (!st)
		return -EIO;
	sqlite3_bind_double(st, 1, hub_now());
	sqlite3_bind_text(st, 2, task_id, -1, SQLITE_STATIC);
	if (hub_store_step_done(s, st, err) < 0)
		return -EIO;
	return hub_store_exec_text(s, "UPDATE containers SET last_status = 'STOPPED'"
				      " WHERE task_id = ?", err, 1, task_id);
}

static int apply_container(struct hub_store *s, const char *node_id, const char *task_id,
			   const struct task_store_container_report *c, struct error *err)
{
	sqlite3_stmt *st = hub_store_prepare(
		s, "UPDATE containers SET last_status = ?1,"
		   " exit_code = coalesce(?2, exit_code), reason = coalesce(?3, reason),"
		   " health_output = CASE WHEN ?7 IS NULL THEN health_output ELSE ?8 END,"
		   " health_status = coalesce(?7, health_status),"
		   " runtime_id = coalesce(?9, runtime_id),"
		   " restart_count = coalesce(?10, restart_count)"
		   " WHERE task_id = ?4 AND name = ?5"
		   " AND task_id IN (SELECT id FROM tasks WHERE node_id = ?6)", err);
	if (!st)
		return -EIO;
	sqlite3_bind_text(st, 1, c->status, -1, SQLITE_STATIC);
	if (c->has_exit_code)
		sqlite3_bind_int(st, 2, c->exit_code);
	sqlite3_bind_text(st, 3, c->reason, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 4, task_id, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 5, c->name, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 6, node_id, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 7, c->health_status, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 8, c->health_output, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 9, c->runtime_id, -1, SQLITE_STATIC);
	if (c->restart_count >= 0)
		sqlite3_bind_int64(st, 10, c->restart_count);
	return hub_store_step_done(s, st, err);
}

int task_store_apply_report(struct hub_store *s, const char *node_id,
			    const struct task_store_report *r,
			    const struct task_store_container_report *containers, size_t n,
			    struct error *err)
{
	sqlite3_stmt *st = hub_store_prepare(
		s, "UPDATE tasks SET version = version + 1, delivered = 1,"
		   " last_status = CASE WHEN last_status = 'STOPPED' THEN last_status ELSE ?1 END,"
		   " started_at = CASE WHEN ?1 != 'PENDING' THEN coalesce(started_at, ?2)"
		   "  ELSE started_at END,"
		   " stopped_at = CASE WHEN ?1 = 'STOPPED' THEN coalesce(stopped_at, ?2)"
		   "  ELSE stopped_at END,"
		   " desired_status = CASE WHEN ?1 = 'STOPPED' THEN 'STOPPED' ELSE desired_status END,"
		   " stop_code = CASE WHEN ?1 = 'STOPPED' THEN coalesce(stop_code, ?3) ELSE stop_code END,"
		   " stopped_reason = CASE WHEN ?1 = 'STOPPED' THEN coalesce(stopped_reason, ?4)"
		   "  ELSE stopped_reason END,"
		   " pull_started_at = coalesce(pull_started_at, ?7),"
		   " pull_stopped_at = coalesce(pull_stopped_at, ?8),"
		   " health_status = coalesce(?9, health_status)"
		   " WHERE id = ?5 AND node_id = ?6", err);
	if (!st)
		return -EIO;
	sqlite3_bind_text(st, 1, r->status, -1, SQLITE_STATIC);
	sqlite3_bind_double(st, 2, hub_now());
	sqlite3_bind_text(st, 3, r->stop_code, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 4, r->stopped_reason, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 5, r->task_id, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 6, node_id, -1, SQLITE_STATIC);
	if (r->pull_started_at > 0)
		sqlite3_bind_double(st, 7, r->pull_started_at);
	if (r->pull_stopped_at > 0)
		sqlite3_bind_double(st, 8, r->pull_stopped_at);
	sqlite3_bind_text(st, 9, r->health_status, -1, SQLITE_STATIC);
	if (hub_store_step_done(s, st, err) < 0)
		return -EIO;
	if (sqlite3_changes(s->db) == 0)
		return 0;
	for (size_t i = 0; i < n; i++)
		if (apply_container(s, node_id, r->task_id, &containers[i], err) < 0)
			return -EIO;
	return 1;
}

int task_store_cluster_counts(struct hub_store *s, const char *cluster, long long *ret_running,
			      long long *ret_pending, struct error *err)
{
	/* Two statements with fixed statuses, so that each reads the index on (cluster,
	 * last_status). */
	static const char *const queries[2] = {
		"SELECT count(*) FROM tasks WHERE cluster = ?1 AND last_status = 'RUNNING'",
		("SELECT count(*) FROM tasks WHERE cluster = ?1 AND last_status IN"
		 " ('PROVISIONING', 'PENDING')"),
	};
	long long *counts[2] = { ret_running, ret_pending };
	for (int i = 0; i < 2; i++) {
		_cleanup_stmt_ sqlite3_stmt *st = hub_store_prepare(s, queries[i], err);
		if (!st)
			return -EIO;
		sqlite3_bind_text(st, 1, cluster, -1, SQLITE_STATIC);
		*counts[i] = sqlite3_step(st) == SQLITE_ROW ? sqlite3_column_int64(st, 0) : 0;
	}
	return 0;
}

long long task_store_node_count(struct hub_store *s, const char *node_id, const char *statuses)
{
	_cleanup_stmt_ sqlite3_stmt *st = hub_store_prepare(
		s, "SELECT count(*) FROM tasks WHERE node_id = ? AND instr(?, last_status) > 0", NULL);
	if (!st)
		return 0;
	sqlite3_bind_text(st, 1, node_id, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, statuses, -1, SQLITE_STATIC);
	return sqlite3_step(st) == SQLITE_ROW ? sqlite3_column_int64(st, 0) : 0;
}

int task_store_count_by_status(struct hub_store *s, task_store_count_fn fn, void *userdata,
			       struct error *err)
{
	_cleanup_stmt_ sqlite3_stmt *st = hub_store_prepare(
		s, "SELECT cluster, last_status, count(*) FROM tasks GROUP BY cluster, last_status"
		   " ORDER BY cluster, last_status", err);
	if (!st)
		return -EIO;
	while (sqlite3_step(st) == SQLITE_ROW)
		fn(userdata, col_text(st, 0), col_text(st, 1), sqlite3_column_int64(st, 2));
	return 0;
}

int task_store_list(struct hub_store *s, const struct task_store_filter *filter,
		    void (*fn)(const char *task_id, void *data), void *data, struct error *err)
{
	_cleanup_stmt_ sqlite3_stmt *st = hub_store_prepare(
		s, "SELECT t.id FROM tasks t JOIN nodes n ON n.node_id = t.node_id"
		   " WHERE t.cluster = ?1 AND t.desired_status = ?2"
		   " AND (?3 IS NULL OR n.instance_id = ?3) AND (?4 IS NULL OR t.family = ?4)"
		   " AND (?5 IS NULL OR t.started_by = ?5)"
		   " ORDER BY t.created_at, t.id", err);
	if (!st)
		return -EIO;
	sqlite3_bind_text(st, 1, filter->cluster, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, filter->desired_status, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 3, filter->instance_id, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 4, filter->family, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 5, filter->started_by, -1, SQLITE_STATIC);
	while (sqlite3_step(st) == SQLITE_ROW)
		fn(col_text(st, 0), data);
	return 0;
}

int task_store_by_client_token(struct hub_store *s, const char *cluster, const char *client_token,
			       void (*fn)(const char *task_id, void *data), void *data,
			       struct error *err)
{
	_cleanup_stmt_ sqlite3_stmt *st = hub_store_prepare(
		s, "SELECT id FROM tasks WHERE cluster = ? AND client_token = ?"
		   " ORDER BY created_at, id", err);
	if (!st)
		return -EIO;
	sqlite3_bind_text(st, 1, cluster, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, client_token, -1, SQLITE_STATIC);
	int n = 0;
	for (; sqlite3_step(st) == SQLITE_ROW; n++)
		fn(col_text(st, 0), data);
	return n;
}

int task_store_forget_stopped(struct hub_store *s, double cutoff, int batch, struct error *err)
{
	/* The ids go through a temporary table (hub/store/store.c's schema) so that the three deletes
	 * agree on one set of tasks. */
	static const char *const steps[] = {
		"DELETE FROM forgotten",
		("INSERT INTO forgotten SELECT id FROM tasks WHERE last_status = 'STOPPED'"
		 " AND stopped_at < ?1 LIMIT ?2"),
		/* A task's tags go with it (hub/tag_store.h keys them by the task's ARN). */
		("DELETE FROM tags WHERE resource_arn IN (SELECT '" ARN_PREFIX "task/' || t.cluster"
		 " || '/' || t.id FROM tasks t JOIN forgotten f ON f.id = t.id)"),
		"DELETE FROM containers WHERE task_id IN (SELECT id FROM forgotten)",
		"DELETE FROM outbox WHERE task_id IN (SELECT id FROM forgotten)",
		"DELETE FROM tasks WHERE id IN (SELECT id FROM forgotten)",
	};
	for (size_t i = 0; i < ELEMENTSOF(steps); i++) {
		sqlite3_stmt *st = hub_store_prepare(s, steps[i], err);
		if (!st)
			return -EIO;
		if (i == 1) {
			sqlite3_bind_double(st, 1, cutoff);
			sqlite3_bind_int(st, 2, batch);
		}
		if (hub_store_step_done(s, st, err) < 0)
			return -EIO;
	}
	return sqlite3_changes(s->db);
}

int task_store_next_seq(struct hub_store *s, const char *node_id, uint64_t *ret,
			struct error *err)
{
	if (hub_store_exec_text(s, "UPDATE nodes SET hub_seq = hub_seq + 1 WHERE node_id = ?", err,
				1, node_id) < 0)
		return -EIO;
	_cleanup_stmt_ sqlite3_stmt *st =
		hub_store_prepare(s, "SELECT hub_seq FROM nodes WHERE node_id = ?", err);
	if (!st)
		return -EIO;
	sqlite3_bind_text(st, 1, node_id, -1, SQLITE_STATIC);
	if (sqlite3_step(st) != SQLITE_ROW)
		return error_set(err, ENOENT, "node %s not found", node_id);
	*ret = (uint64_t)sqlite3_column_int64(st, 0);
	return 0;
}

int task_store_queue_frame(struct hub_store *s, const char *node_id, uint64_t seq,
			   const char *task_id, const char *kind, const char *frame_text,
			   struct error *err)
{
	sqlite3_stmt *st = hub_store_prepare(
		s, "INSERT INTO outbox(node_id, seq, task_id, kind, frame) VALUES(?, ?, ?, ?, ?)", err);
	if (!st)
		return -EIO;
	sqlite3_bind_text(st, 1, node_id, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 2, (sqlite3_int64)seq);
	sqlite3_bind_text(st, 3, task_id, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 4, kind, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 5, frame_text, -1, SQLITE_STATIC);
	if (hub_store_step_done(s, st, err) < 0)
		return -EIO;
	return hub_store_wake_after_commit(s, node_id, err);
}

int task_store_next_frame(struct hub_store *s, const char *node_id, uint64_t after_seq,
			  char **ret_frame, uint64_t *ret_seq, struct error *err)
{
	_cleanup_stmt_ sqlite3_stmt *st = hub_store_prepare(
		s, "SELECT seq, frame FROM outbox WHERE node_id = ? AND seq > ?"
		   " ORDER BY seq LIMIT 1", err);
	if (!st)
		return -EIO;
	sqlite3_bind_text(st, 1, node_id, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 2, (sqlite3_int64)after_seq);
	if (sqlite3_step(st) != SQLITE_ROW)
		return 0;
	*ret_frame = strdup(col_text(st, 1));
	if (!*ret_frame)
		return error_set(err, ENOMEM, "out of memory");
	*ret_seq = (uint64_t)sqlite3_column_int64(st, 0);
	return 1;
}

int task_store_ack_frame(struct hub_store *s, const char *node_id, uint64_t seq,
			 struct error *err)
{
	sqlite3_stmt *st = hub_store_prepare(
		s, "UPDATE tasks SET delivered = 1, version = version + 1,"
		   " last_status = CASE last_status WHEN 'PROVISIONING' THEN 'PENDING'"
		   " ELSE last_status END WHERE id = (SELECT task_id FROM outbox"
		   " WHERE node_id = ?1 AND seq = ?2 AND kind = 'assign')", err);
	if (!st)
		return -EIO;
	sqlite3_bind_text(st, 1, node_id, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 2, (sqlite3_int64)seq);
	if (hub_store_step_done(s, st, err) < 0)
		return -EIO;
	st = hub_store_prepare(s, "DELETE FROM outbox WHERE node_id = ? AND seq = ?", err);
	if (!st)
		return -EIO;
	sqlite3_bind_text(st, 1, node_id, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 2, (sqlite3_int64)seq);
	return hub_store_step_done(s, st, err);
}

/* Every task of node_id (BY_NODE) or the task KEY not yet STOPPED becomes STOPPED, desired
 * STOPPED, with reason unless one was given, its containers too, and nothing more is queued
 * for it. */
static int mark_stopped(struct hub_store *s, bool by_node, const char *key, const char *reason,
			struct error *err)
{
	/* Containers first: the task rows still say which tasks were not STOPPED. */
	static const char *const containers_sql[2] = {
		"UPDATE containers SET last_status = 'STOPPED' WHERE last_status != 'STOPPED' AND"
		" task_id IN (SELECT id FROM tasks WHERE id = ? AND last_status != 'STOPPED')",
		"UPDATE containers SET last_status = 'STOPPED' WHERE last_status != 'STOPPED' AND"
		" task_id IN (SELECT id FROM tasks WHERE node_id = ? AND last_status != 'STOPPED')",
	};
	static const char *const tasks_sql[2] = {
		"UPDATE tasks SET last_status = 'STOPPED', desired_status = 'STOPPED',"
		" stopped_reason = coalesce(stopped_reason, ?1), stopped_at = ?2,"
		" version = version + 1 WHERE id = ?3 AND last_status != 'STOPPED'",
		"UPDATE tasks SET last_status = 'STOPPED', desired_status = 'STOPPED',"
		" stopped_reason = coalesce(stopped_reason, ?1), stopped_at = ?2,"
		" version = version + 1 WHERE node_id = ?3 AND last_status != 'STOPPED'",
	};
	static const char *const outbox_sql[2] = {
		"DELETE FROM outbox WHERE task_id = ?",
		"DELETE FROM outbox WHERE node_id = ?",
	};
	if (hub_store_exec_text(s, containers_sql[by_node], err, 1, key) < 0)
		return -EIO;
	sqlite3_stmt *st = hub_store_prepare(s, tasks_sql[by_node], err);
	if (!st)
		return -EIO;
	sqlite3_bind_text(st, 1, reason, -1, SQLITE_STATIC);
	sqlite3_bind_double(st, 2, hub_now());
	sqlite3_bind_text(st, 3, key, -1, SQLITE_STATIC);
	if (hub_store_step_done(s, st, err) < 0)
		return -EIO;
	return hub_store_exec_text(s, outbox_sql[by_node], err, 1, key);
}

int task_store_orphan_node(struct hub_store *s, const char *node_id, const char *reason,
			   struct error *err)
{
	return mark_stopped(s, true, node_id, reason, err);
}

int task_store_stop_missing(struct hub_store *s, const char *task_id, const char *reason,
			    struct error *err)
{
	return mark_stopped(s, false, task_id, reason, err);
}
