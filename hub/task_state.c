#include <errno.h>
#include <string.h>

#include "common/cleanup.h"
#include "hub/arn.h"
#include "hub/task_state.h"
#include "protocol/json_value.h"

static const char *string_of(const cJSON *obj, const char *name)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(obj, name);
	return cJSON_IsString(v) ? v->valuestring : NULL;
}

static bool status_valid(const char *s)
{
	return s && (!strcmp(s, "PENDING") || !strcmp(s, "RUNNING") || !strcmp(s, "STOPPED"));
}

static int update_task(struct hub_store *s, const char *node_id, const char *task_id,
		       const cJSON *frame, struct error *err)
{
	const char *status = string_of(frame, "status");
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
		   "  ELSE stopped_reason END"
		   " WHERE id = ?5 AND node_id = ?6", err);
	if (!st)
		return -EIO;
	sqlite3_bind_text(st, 1, status, -1, SQLITE_STATIC);
	sqlite3_bind_double(st, 2, hub_now());
	sqlite3_bind_text(st, 3, string_of(frame, "stop_code"), -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 4, string_of(frame, "stopped_reason"), -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 5, task_id, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 6, node_id, -1, SQLITE_STATIC);
	return hub_store_step_done(s, st, err);
}

/* A malformed state change can never become valid: it is refused before anything is written. */
static bool frame_valid(const cJSON *frame)
{
	const char *arn = string_of(frame, "task_arn");
	const cJSON *containers = cJSON_GetObjectItemCaseSensitive(frame, "containers");
	if (!arn || !arn_resource_id(arn, "task") || !status_valid(string_of(frame, "status")) ||
	    (containers && !cJSON_IsArray(containers)))
		return false;
	const cJSON *c;
	cJSON_ArrayForEach(c, containers)
		if (!string_of(c, "name") || !status_valid(string_of(c, "status")))
			return false;
	return true;
}

static int update_containers(struct hub_store *s, const char *node_id, const char *task_id,
			     const cJSON *list, struct error *err)
{
	const cJSON *c;
	cJSON_ArrayForEach(c, list)
	{
		const char *name = string_of(c, "name"), *status = string_of(c, "status");
		const cJSON *code = cJSON_GetObjectItemCaseSensitive(c, "exit_code");
		sqlite3_stmt *st = hub_store_prepare(
			s, "UPDATE containers SET last_status = ?1,"
			   " exit_code = coalesce(?2, exit_code), reason = coalesce(?3, reason)"
			   " WHERE task_id = ?4 AND name = ?5"
			   " AND task_id IN (SELECT id FROM tasks WHERE node_id = ?6)", err);
		if (!st)
			return -EIO;
		sqlite3_bind_text(st, 1, status, -1, SQLITE_STATIC);
		if (cJSON_IsNumber(code) && code->valuedouble >= -1000000 && code->valuedouble <= 1000000)
			sqlite3_bind_int(st, 2, (int)code->valuedouble);
		sqlite3_bind_text(st, 3, string_of(c, "reason"), -1, SQLITE_STATIC);
		sqlite3_bind_text(st, 4, task_id, -1, SQLITE_STATIC);
		sqlite3_bind_text(st, 5, name, -1, SQLITE_STATIC);
		sqlite3_bind_text(st, 6, node_id, -1, SQLITE_STATIC);
		if (hub_store_step_done(s, st, err) < 0)
			return -EIO;
	}
	return 0;
}

static int apply(struct hub_store *s, const char *node_id, uint64_t seq, const cJSON *frame,
		 struct error *err)
{
	_cleanup_stmt_ sqlite3_stmt *st =
		hub_store_prepare(s, "SELECT agent_seq FROM nodes WHERE node_id = ?", err);
	if (!st)
		return -EIO;
	sqlite3_bind_text(st, 1, node_id, -1, SQLITE_STATIC);
	if (sqlite3_step(st) != SQLITE_ROW)
		return error_set(err, ENOENT, "node not found");
	if ((uint64_t)sqlite3_column_int64(st, 0) >= seq)
		return 0; /* applied before: acknowledge again only */

	bool valid = frame_valid(frame), owned = false;
	if (valid) {
		const char *task_id = arn_resource_id(string_of(frame, "task_arn"), "task");
		const cJSON *containers = cJSON_GetObjectItemCaseSensitive(frame, "containers");
		if (update_task(s, node_id, task_id, frame, err) < 0)
			return -EIO;
		/* No row: not a task of this node (another node's, made up, or forgotten an hour
		 * after it stopped). Refused, and its seq consumed like a malformed frame's. */
		owned = sqlite3_changes(s->db) > 0;
		if (owned && update_containers(s, node_id, task_id, containers, err) < 0)
			return -EIO;
	}
	sqlite3_stmt *up = hub_store_prepare(s, "UPDATE nodes SET agent_seq = ? WHERE node_id = ?",
					     err);
	if (!up)
		return -EIO;
	sqlite3_bind_int64(up, 1, (sqlite3_int64)seq);
	sqlite3_bind_text(up, 2, node_id, -1, SQLITE_STATIC);
	if (hub_store_step_done(s, up, err) < 0)
		return -EIO;
	/* Its seq is consumed all the same, so the agent stops resending it. */
	if (!valid)
		return error_set(err, EBADMSG,
				 "task_state needs task_arn, a status PENDING, RUNNING or STOPPED"
				 " and containers with a name and a status");
	if (!owned)
		return error_set(err, EBADMSG, "task_state for %.200s: not a task of this node",
				 string_of(frame, "task_arn"));
	return 0;
}

int task_state_apply(struct hub_store *s, const char *node_id, uint64_t seq, const cJSON *frame,
		     struct error *err)
{
	if (hub_store_begin(s, err) < 0)
		return -EIO;
	int r = apply(s, node_id, seq, frame, err);
	if (r < 0 && r != -EBADMSG) {
		hub_store_rollback(s);
		return r;
	}
	/* A refused frame is committed too: its seq is consumed. */
	if (hub_store_commit(s, err) < 0) {
		hub_store_rollback(s);
		return -EIO;
	}
	return r;
}
