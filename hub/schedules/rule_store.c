#include <errno.h>
#include <string.h>

#include "common/cleanup.h"
#include "hub/schedules/rule_store.h"
#include "hub/schedules/schedule_expr.h"
#include "protocol/arn.h"

static int sql_fail(struct hub_store *s, struct error *err, const char *what)
{
	return error_set(err, EIO, "%s: %s", what, sqlite3_errmsg(s->db));
}

/* The first tick after `after`, or NULL (SQL) when the schedule has no more. */
static void bind_next_due(sqlite3_stmt *st, int col, const char *schedule, int64_t anchor,
			  int64_t after)
{
	struct schedule sch;
	int64_t next = schedule_parse(schedule, &sch, NULL) == 0 ? schedule_next(&sch, anchor, after)
								  : -1;
	if (next < 0)
		sqlite3_bind_null(st, col);
	else
		sqlite3_bind_int64(st, col, next);
}

int rule_store_put(struct hub_store *s, const struct rule_put *p, int64_t now, struct error *err)
{
	/* The tick count restarts only when the schedule changes or the rule is turned on. */
	_cleanup_stmt_ sqlite3_stmt *old = hub_store_prepare(
		s, "SELECT schedule, state, anchor, last_tick FROM rules WHERE name = ?", err);
	if (!old)
		return -EIO;
	sqlite3_bind_text(old, 1, p->name, -1, SQLITE_STATIC);
	int64_t anchor = now - now % 60, last_tick = now;
	if (sqlite3_step(old) == SQLITE_ROW && strcmp(col_text(old, 0), p->schedule) == 0 &&
	    (strcmp(col_text(old, 1), "ENABLED") == 0 || !p->enabled)) {
		anchor = sqlite3_column_int64(old, 2);
		last_tick = sqlite3_column_int64(old, 3);
	}
	sqlite3_stmt *st = hub_store_prepare(
		s,
		"INSERT INTO rules(name, schedule, state, description, anchor, last_tick, next_due,"
		" created_at) VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8) ON CONFLICT(name) DO UPDATE SET"
		" schedule = ?2, state = ?3, description = ?4, anchor = ?5, last_tick = ?6,"
		" next_due = ?7",
		err);
	if (!st)
		return -EIO;
	sqlite3_bind_text(st, 1, p->name, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, p->schedule, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 3, p->enabled ? "ENABLED" : "DISABLED", -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 4, p->description, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 5, anchor);
	sqlite3_bind_int64(st, 6, last_tick);
	bind_next_due(st, 7, p->schedule, anchor, last_tick);
	sqlite3_bind_double(st, 8, hub_now());
	return hub_store_step_done(s, st, err);
}

int rule_store_set_enabled(struct hub_store *s, const char *name, bool enabled, int64_t now,
			   struct error *err)
{
	_cleanup_stmt_ sqlite3_stmt *q = hub_store_prepare(
		s, "SELECT schedule, state, anchor FROM rules WHERE name = ?", err);
	if (!q)
		return -EIO;
	sqlite3_bind_text(q, 1, name, -1, SQLITE_STATIC);
	if (sqlite3_step(q) != SQLITE_ROW)
		return 1;
	bool was_enabled = strcmp(col_text(q, 1), "ENABLED") == 0;
	if (was_enabled == enabled)
		return 0;
	sqlite3_stmt *st;
	if (!enabled) {
		st = hub_store_prepare(s, "UPDATE rules SET state = 'DISABLED' WHERE name = ?", err);
		if (!st)
			return -EIO;
		sqlite3_bind_text(st, 1, name, -1, SQLITE_STATIC);
		return hub_store_step_done(s, st, err);
	}
	st = hub_store_prepare(s, "UPDATE rules SET state = 'ENABLED', last_tick = ?2, next_due = ?3"
			       " WHERE name = ?1", err);
	if (!st)
		return -EIO;
	sqlite3_bind_text(st, 1, name, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 2, now);
	bind_next_due(st, 3, col_text(q, 0), sqlite3_column_int64(q, 2), now);
	return hub_store_step_done(s, st, err);
}

static int count_targets(struct hub_store *s, const char *rule, struct error *err)
{
	_cleanup_stmt_ sqlite3_stmt *st =
		hub_store_prepare(s, "SELECT count(*) FROM rule_targets WHERE rule = ?", err);
	if (!st)
		return -EIO;
	sqlite3_bind_text(st, 1, rule, -1, SQLITE_STATIC);
	if (sqlite3_step(st) != SQLITE_ROW)
		return sql_fail(s, err, "count targets");
	return sqlite3_column_int(st, 0);
}

int rule_store_exists(struct hub_store *s, const char *name, struct error *err)
{
	_cleanup_stmt_ sqlite3_stmt *st =
		hub_store_prepare(s, "SELECT 1 FROM rules WHERE name = ?", err);
	if (!st)
		return -EIO;
	sqlite3_bind_text(st, 1, name, -1, SQLITE_STATIC);
	return sqlite3_step(st) == SQLITE_ROW ? 0 : 1;
}

int rule_store_delete(struct hub_store *s, const char *name, struct error *err)
{
	int r = rule_store_exists(s, name, err);
	if (r != 0)
		return r;
	int n = count_targets(s, name, err);
	if (n != 0)
		return n < 0 ? n : 2;
	return hub_store_exec_text(s, "DELETE FROM rules WHERE name = ?", err, 1, name);
}

cJSON *rule_store_view(struct hub_store *s, const char *name)
{
	_cleanup_stmt_ sqlite3_stmt *st = hub_store_prepare(
		s, "SELECT schedule, state, description, last_failure, last_failure_at, last_tick"
		   " FROM rules WHERE name = ?", NULL);
	if (!st)
		return NULL;
	sqlite3_bind_text(st, 1, name, -1, SQLITE_STATIC);
	if (sqlite3_step(st) != SQLITE_ROW)
		return NULL;
	_cleanup_free_ char *arn = arn_rule(name);
	cJSON *o = cJSON_CreateObject();
	cJSON_AddStringToObject(o, "Name", name);
	cJSON_AddStringToObject(o, "Arn", arn ? arn : "");
	cJSON_AddStringToObject(o, "ScheduleExpression", col_text(st, 0));
	cJSON_AddStringToObject(o, "State", col_text(st, 1));
	if (sqlite3_column_type(st, 2) != SQLITE_NULL)
		cJSON_AddStringToObject(o, "Description", col_text(st, 2));
	cJSON_AddStringToObject(o, "EventBusName", "default");
	cJSON_AddStringToObject(o, "CreatedBy", "000000000000");
	/* tether's own: why the last tick that failed did not start its tasks. */
	if (sqlite3_column_type(st, 3) != SQLITE_NULL) {
		cJSON_AddStringToObject(o, "LastFailure", col_text(st, 3));
		cJSON_AddNumberToObject(o, "LastFailureAt", sqlite3_column_double(st, 4));
	}
	return o;
}

int rule_store_names(struct hub_store *s, const char *prefix, cJSON *names, struct error *err)
{
	_cleanup_stmt_ sqlite3_stmt *st = hub_store_prepare(
		s, "SELECT name FROM rules WHERE ?1 IS NULL OR substr(name, 1, length(?1)) = ?1"
		   " ORDER BY name", err);
	if (!st)
		return -EIO;
	sqlite3_bind_text(st, 1, prefix, -1, SQLITE_STATIC);
	while (sqlite3_step(st) == SQLITE_ROW)
		cJSON_AddItemToArray(names, cJSON_CreateString(col_text(st, 0)));
	return 0;
}

int rule_store_put_target(struct hub_store *s, const char *rule, const struct rule_target *t,
			  struct error *err)
{
	_cleanup_stmt_ sqlite3_stmt *q =
		hub_store_prepare(s, "SELECT 1 FROM rule_targets WHERE rule = ? AND id = ?", err);
	if (!q)
		return -EIO;
	sqlite3_bind_text(q, 1, rule, -1, SQLITE_STATIC);
	sqlite3_bind_text(q, 2, t->id, -1, SQLITE_STATIC);
	if (sqlite3_step(q) != SQLITE_ROW) {
		int n = count_targets(s, rule, err);
		if (n < 0)
			return n;
		if (n >= RULE_TARGETS_MAX)
			return 1;
	}
	sqlite3_stmt *st = hub_store_prepare(
		s, "INSERT OR REPLACE INTO rule_targets(rule, id, arn, role_arn, task_definition,"
		   " task_count, launch_type, task_group) VALUES(?, ?, ?, ?, ?, ?, ?, ?)", err);
	if (!st)
		return -EIO;
	sqlite3_bind_text(st, 1, rule, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, t->id, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 3, t->arn, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 4, t->role_arn, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 5, t->task_definition, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 6, t->task_count);
	sqlite3_bind_text(st, 7, t->launch_type, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 8, t->group, -1, SQLITE_STATIC);
	return hub_store_step_done(s, st, err);
}

int rule_store_remove_target(struct hub_store *s, const char *rule, const char *id,
			     struct error *err)
{
	sqlite3_stmt *st =
		hub_store_prepare(s, "DELETE FROM rule_targets WHERE rule = ? AND id = ?", err);
	if (!st)
		return -EIO;
	sqlite3_bind_text(st, 1, rule, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, id, -1, SQLITE_STATIC);
	int r = hub_store_step_done(s, st, err);
	if (r < 0)
		return r;
	return sqlite3_changes(s->db) ? 0 : 1;
}

static const char *col_or_null(sqlite3_stmt *st, int i)
{
	return sqlite3_column_type(st, i) == SQLITE_NULL ? NULL : col_text(st, i);
}

int rule_store_each_target(struct hub_store *s, const char *rule,
			   int (*fn)(const struct rule_target *t, void *data), void *data,
			   struct error *err)
{
	_cleanup_stmt_ sqlite3_stmt *st = hub_store_prepare(
		s, "SELECT id, arn, role_arn, task_definition, task_count, launch_type, task_group"
		   " FROM rule_targets WHERE rule = ? ORDER BY id", err);
	if (!st)
		return -EIO;
	sqlite3_bind_text(st, 1, rule, -1, SQLITE_STATIC);
	while (sqlite3_step(st) == SQLITE_ROW) {
		struct rule_target t = {
			.id = col_text(st, 0), .arn = col_text(st, 1), .role_arn = col_or_null(st, 2),
			.task_definition = col_text(st, 3), .task_count = sqlite3_column_int64(st, 4),
			.launch_type = col_or_null(st, 5), .group = col_or_null(st, 6),
		};
		int r = fn(&t, data);
		if (r != 0)
			return r;
	}
	return 0;
}

static int add_target_view(const struct rule_target *t, void *data)
{
	cJSON *o = cJSON_CreateObject();
	cJSON_AddStringToObject(o, "Id", t->id);
	cJSON_AddStringToObject(o, "Arn", t->arn);
	if (t->role_arn)
		cJSON_AddStringToObject(o, "RoleArn", t->role_arn);
	cJSON *ecs = cJSON_AddObjectToObject(o, "EcsParameters");
	cJSON_AddStringToObject(ecs, "TaskDefinitionArn", t->task_definition);
	cJSON_AddNumberToObject(ecs, "TaskCount", (double)t->task_count);
	if (t->launch_type)
		cJSON_AddStringToObject(ecs, "LaunchType", t->launch_type);
	if (t->group)
		cJSON_AddStringToObject(ecs, "Group", t->group);
	cJSON_AddItemToArray(data, o);
	return 0;
}

int rule_store_targets(struct hub_store *s, const char *rule, cJSON *targets, struct error *err)
{
	return rule_store_each_target(s, rule, add_target_view, targets, err);
}

int rule_store_due(struct hub_store *s, int64_t now, char (*names)[RULE_NAME_MAX + 1], int max,
		   struct error *err)
{
	_cleanup_stmt_ sqlite3_stmt *st = hub_store_prepare(
		s, "SELECT name FROM rules WHERE state = 'ENABLED' AND next_due <= ?"
		   " ORDER BY next_due LIMIT ?", err);
	if (!st)
		return -EIO;
	sqlite3_bind_int64(st, 1, now);
	sqlite3_bind_int(st, 2, max);
	int n = 0;
	while (n < max && sqlite3_step(st) == SQLITE_ROW)
		snprintf(names[n++], RULE_NAME_MAX + 1, "%s", col_text(st, 0));
	return n;
}

int rule_store_load(struct hub_store *s, const char *name, struct rule_due *ret,
		    struct error *err)
{
	_cleanup_stmt_ sqlite3_stmt *st = hub_store_prepare(
		s, "SELECT schedule, anchor, last_tick, failing, last_failure FROM rules"
		   " WHERE name = ? AND state = 'ENABLED'", err);
	if (!st)
		return -EIO;
	sqlite3_bind_text(st, 1, name, -1, SQLITE_STATIC);
	if (sqlite3_step(st) != SQLITE_ROW)
		return 1;
	snprintf(ret->schedule, sizeof(ret->schedule), "%s", col_text(st, 0));
	ret->anchor = sqlite3_column_int64(st, 1);
	ret->last_tick = sqlite3_column_int64(st, 2);
	ret->failing = sqlite3_column_int(st, 3) != 0;
	snprintf(ret->last_failure, sizeof(ret->last_failure), "%s", col_text(st, 4));
	return 0;
}

int rule_store_mark_tick(struct hub_store *s, const char *name, int64_t tick, int64_t next_due,
			 const char *failure, struct error *err)
{
	sqlite3_stmt *st = hub_store_prepare(
		s, "UPDATE rules SET last_tick = ?2, next_due = ?3, failing = ?4 IS NOT NULL,"
		   " last_failure = coalesce(?4, last_failure),"
		   " last_failure_at = CASE WHEN ?4 IS NULL THEN last_failure_at ELSE ?5 END"
		   " WHERE name = ?1", err);
	if (!st)
		return -EIO;
	sqlite3_bind_text(st, 1, name, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 2, tick);
	if (next_due < 0)
		sqlite3_bind_null(st, 3);
	else
		sqlite3_bind_int64(st, 3, next_due);
	sqlite3_bind_text(st, 4, failure, -1, SQLITE_STATIC);
	sqlite3_bind_double(st, 5, hub_now());
	return hub_store_step_done(s, st, err);
}

int rule_store_each_state(struct hub_store *s,
			  void (*fn)(void *data, const char *name, bool failing, int64_t last_tick),
			  void *data, struct error *err)
{
	_cleanup_stmt_ sqlite3_stmt *st = hub_store_prepare(
		s, "SELECT name, failing, last_tick FROM rules ORDER BY name", err);
	if (!st)
		return -EIO;
	while (sqlite3_step(st) == SQLITE_ROW)
		fn(data, col_text(st, 0), sqlite3_column_int(st, 1) != 0,
		   sqlite3_column_int64(st, 2));
	return 0;
}
