#include <errno.h>
#include <string.h>

#include "common/cleanup.h"
#include "hub/tasks/task_state.h"
#include "hub/tasks/task_store.h"
#include "protocol/arn.h"
#include "protocol/json_value.h"
#include "protocol/taskdef.h"

static bool status_valid(const char *s)
{
	return s && (!strcmp(s, "PENDING") || !strcmp(s, "RUNNING") || !strcmp(s, "STOPPED"));
}

/* A malformed state change can never become valid: it is refused before anything is written. */
static bool frame_valid(const cJSON *frame)
{
	const char *arn = json_string_member(frame, "task_arn");
	const cJSON *containers = cJSON_GetObjectItemCaseSensitive(frame, "containers");
	if (!arn || !arn_resource_id(arn, "task") || !status_valid(json_string_member(frame, "status")) ||
	    (containers && !cJSON_IsArray(containers)))
		return false;
	const cJSON *c;
	cJSON_ArrayForEach(c, containers)
		if (!json_string_member(c, "name") || !status_valid(json_string_member(c, "status")))
			return false;
	return true;
}

#define REPORT_CONTAINERS_MAX TASKDEF_MAX_CONTAINERS
/* The agent sends at most HEALTH_OUTPUT_MAX bytes (container/health_record.h); room for
 * JSON's view of the same text. */
#define REPORT_HEALTH_OUTPUT_MAX 4096
#define REPORT_RUNTIME_ID_MAX 512

/* One of ECS's health statuses, else NULL (as if not reported). */
static const char *health_member(const cJSON *obj)
{
	const char *s = json_string_member(obj, "health_status");
	return s && (!strcmp(s, "HEALTHY") || !strcmp(s, "UNHEALTHY") || !strcmp(s, "UNKNOWN"))
		       ? s
		       : NULL;
}

static const char *health_output_member(const cJSON *obj)
{
	const char *s = json_string_member(obj, "health_output");
	return s && strlen(s) <= REPORT_HEALTH_OUTPUT_MAX ? s : NULL;
}

/* The container's id on its node: printable, at most REPORT_RUNTIME_ID_MAX bytes, or dropped. */
static const char *runtime_id_member(const cJSON *obj)
{
	const char *s = json_string_member(obj, "runtime_id");
	if (!s || !s[0] || strlen(s) > REPORT_RUNTIME_ID_MAX)
		return NULL;
	for (const char *p = s; *p; p++)
		if ((unsigned char)*p < 0x20 || *p == 0x7f)
			return NULL;
	return s;
}

/* Restarts its restart policy made: an integer 0..UINT32_MAX, else -1 (not reported). */
static long long restart_count_member(const cJSON *obj)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(obj, "restart_count");
	return json_is_unsigned_integer(v) && v->valuedouble <= UINT32_MAX ? (long long)v->valuedouble
									   : -1;
}

/* A time on the node's clock (seconds since the epoch), shown as it was given; anything but a
 * plausible one (2000 to 2200) is dropped. */
static double node_time(const cJSON *frame, const char *name)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(frame, name);
	return cJSON_IsNumber(v) && v->valuedouble >= 946684800.0 && v->valuedouble < 7258118400.0
		       ? v->valuedouble
		       : 0;
}

/* The task's part of a valid frame, as the task store takes it; -EBADMSG when it names more
 * containers than a task can have. */
static int report_of(const cJSON *frame, struct task_store_report *r,
		     struct task_store_container_report containers[REPORT_CONTAINERS_MAX],
		     size_t *ret_n)
{
	*r = (struct task_store_report){
		.task_id = arn_resource_id(json_string_member(frame, "task_arn"), "task"),
		.status = json_string_member(frame, "status"),
		.stop_code = json_string_member(frame, "stop_code"),
		.stopped_reason = json_string_member(frame, "stopped_reason"),
		.pull_started_at = node_time(frame, "pull_started_at"),
		.pull_stopped_at = node_time(frame, "pull_stopped_at"),
		.health_status = health_member(frame),
	};
	size_t n = 0;
	const cJSON *c;
	cJSON_ArrayForEach(c, cJSON_GetObjectItemCaseSensitive(frame, "containers"))
	{
		if (n == REPORT_CONTAINERS_MAX)
			return -EBADMSG;
		const cJSON *code = cJSON_GetObjectItemCaseSensitive(c, "exit_code");
		bool has_code = cJSON_IsNumber(code) && code->valuedouble >= -1000000 &&
				code->valuedouble <= 1000000;
		containers[n++] = (struct task_store_container_report){
			.name = json_string_member(c, "name"),
			.status = json_string_member(c, "status"),
			.reason = json_string_member(c, "reason"),
			.has_exit_code = has_code,
			.exit_code = has_code ? (int)code->valuedouble : 0,
			.health_status = health_member(c),
			.health_output = health_output_member(c),
			.runtime_id = runtime_id_member(c),
			.restart_count = restart_count_member(c),
		};
	}
	*ret_n = n;
	return 0;
}

int task_state_apply_unsequenced(struct hub_store *s, const char *node_id, const cJSON *frame,
				 struct error *err)
{
	struct task_store_report report;
	struct task_store_container_report containers[REPORT_CONTAINERS_MAX];
	size_t n = 0;
	if (!frame_valid(frame) || report_of(frame, &report, containers, &n) < 0)
		return -EBADMSG;
	int r = task_store_apply_report(s, node_id, &report, containers, n, err);
	return r < 0 ? -EIO : r;
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

	/* 0: not a task of this node (another node's, made up, or forgotten an hour after it
	 * stopped). Refused, and its seq consumed like a malformed frame's. */
	int r = task_state_apply_unsequenced(s, node_id, frame, err);
	if (r == -EIO)
		return -EIO;
	sqlite3_stmt *up = hub_store_prepare(s, "UPDATE nodes SET agent_seq = ? WHERE node_id = ?",
					     err);
	if (!up)
		return -EIO;
	sqlite3_bind_int64(up, 1, (sqlite3_int64)seq);
	sqlite3_bind_text(up, 2, node_id, -1, SQLITE_STATIC);
	if (hub_store_step_done(s, up, err) < 0)
		return -EIO;
	/* Its seq is consumed all the same, so the agent stops resending it. */
	if (r == -EBADMSG)
		return error_set(err, EBADMSG,
				 "task_state needs task_arn, a status PENDING, RUNNING or STOPPED"
				 " and at most %d containers with a name and a status",
				 REPORT_CONTAINERS_MAX);
	if (r == 0)
		return error_set(err, EBADMSG, "task_state for %.200s: not a task of this node",
				 json_string_member(frame, "task_arn"));
	return 1;
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
