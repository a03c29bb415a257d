#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "common/cleanup.h"
#include "hub/outbox.h"
#include "protocol/frame.h"
#include "protocol/json_value.h"

static int next_seq(struct hub_store *s, const char *node_id, uint64_t *ret, struct error *err)
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

static int queue(struct hub_store *s, const char *node_id, const char *task_id, const char *kind,
		 cJSON *frame, struct error *err)
{
	_cleanup_free_ char *text = frame_print(frame);
	if (!text)
		return error_set(err, ENOMEM, "out of memory");
	const cJSON *seq = cJSON_GetObjectItemCaseSensitive(frame, "seq");
	sqlite3_stmt *st = hub_store_prepare(
		s, "INSERT INTO outbox(node_id, seq, task_id, kind, frame) VALUES(?, ?, ?, ?, ?)", err);
	if (!st)
		return -EIO;
	sqlite3_bind_text(st, 1, node_id, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 2, (sqlite3_int64)seq->valuedouble);
	sqlite3_bind_text(st, 3, task_id, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 4, kind, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 5, text, -1, SQLITE_STATIC);
	if (hub_store_step_done(s, st, err) < 0)
		return -EIO;
	if (s->on_frame_queued)
		s->on_frame_queued(s->on_frame_queued_userdata, node_id);
	return 0;
}

static cJSON *start_frame(struct hub_store *s, enum frame_type type, const char *node_id,
			  const char *task_arn, struct error *err)
{
	uint64_t seq = 0;
	if (next_seq(s, node_id, &seq, err) < 0)
		return NULL;
	cJSON *f = frame_new(type, seq);
	if (!f || !cJSON_AddStringToObject(f, "task_arn", task_arn)) {
		cJSON_Delete(f);
		error_set(err, ENOMEM, "out of memory");
		return NULL;
	}
	/* frame_new keeps seq as raw text; a plain number is what the store reads back. */
	cJSON_ReplaceItemInObjectCaseSensitive(f, "seq", cJSON_CreateNumber((double)seq));
	return f;
}

int outbox_queue_assign(struct hub_store *s, const char *node_id, const char *task_id,
			const char *task_arn, const char *taskdef_body, struct error *err)
{
	_cleanup_(cjson_deletep) cJSON *f = start_frame(s, FRAME_TASK_ASSIGN, node_id, task_arn, err);
	if (!f)
		return -EIO;
	cJSON *td = cJSON_Parse(taskdef_body);
	if (!td)
		return error_set(err, EINVAL, "stored task definition is not JSON");
	cJSON_AddItemToObject(f, "task_definition", td);
	return queue(s, node_id, task_id, "assign", f, err);
}

int outbox_queue_stop(struct hub_store *s, const char *node_id, const char *task_id,
		      const char *task_arn, const char *reason, struct error *err)
{
	_cleanup_(cjson_deletep) cJSON *f = start_frame(s, FRAME_TASK_STOP, node_id, task_arn, err);
	if (!f)
		return -EIO;
	cJSON_AddStringToObject(f, "reason", reason);
	return queue(s, node_id, task_id, "stop", f, err);
}

int outbox_next(struct hub_store *s, const char *node_id, uint64_t after_seq, char **ret_frame,
		uint64_t *ret_seq, struct error *err)
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

int outbox_ack(struct hub_store *s, const char *node_id, uint64_t seq, struct error *err)
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

int outbox_drop_assign(struct hub_store *s, const char *task_id, struct error *err)
{
	if (hub_store_exec_text(s, "DELETE FROM outbox WHERE task_id = ? AND kind = 'assign'", err,
				1, task_id) < 0)
		return -EIO;
	return sqlite3_changes(s->db) > 0;
}
