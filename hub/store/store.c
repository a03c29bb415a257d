#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "common/cleanup.h"
#include "common/sqlite_check.h"
#include "hub/store/store.h"


static const char schema[] =
	"CREATE TABLE IF NOT EXISTS clusters(name TEXT PRIMARY KEY, created_at REAL NOT NULL);"
	"CREATE TABLE IF NOT EXISTS activations(id TEXT PRIMARY KEY, code_hash TEXT NOT NULL,"
	" iam_role TEXT NOT NULL, description TEXT, registration_limit INTEGER NOT NULL,"
	" registrations INTEGER NOT NULL DEFAULT 0, expires_at REAL NOT NULL,"
	" created_at REAL NOT NULL);"
	"CREATE TABLE IF NOT EXISTS nodes(node_id TEXT PRIMARY KEY, instance_id TEXT UNIQUE NOT NULL,"
	" cluster TEXT NOT NULL, public_key TEXT NOT NULL, hostname TEXT, agent_version TEXT,"
	" cpu INTEGER NOT NULL, memory INTEGER NOT NULL, attributes TEXT NOT NULL,"
	" registered_at REAL NOT NULL, status TEXT NOT NULL DEFAULT 'ACTIVE',"
	" connected INTEGER NOT NULL DEFAULT 0, hub_seq INTEGER NOT NULL DEFAULT 0,"
	" agent_seq INTEGER NOT NULL DEFAULT 0);"
	/* The operator's attributes of a node (hub/placement/node_attributes.h). */
	"CREATE TABLE IF NOT EXISTS node_attributes(node_id TEXT NOT NULL, name TEXT NOT NULL,"
	" value TEXT, PRIMARY KEY(node_id, name));"
	"CREATE TABLE IF NOT EXISTS taskdefs(family TEXT NOT NULL, revision INTEGER NOT NULL,"
	" body TEXT NOT NULL, registered_at REAL NOT NULL, PRIMARY KEY(family, revision));"
	"CREATE TABLE IF NOT EXISTS tasks(id TEXT PRIMARY KEY, cluster TEXT NOT NULL,"
	" family TEXT NOT NULL, revision INTEGER NOT NULL, node_id TEXT NOT NULL,"
	" cpu INTEGER NOT NULL, memory INTEGER NOT NULL, last_status TEXT NOT NULL,"
	" desired_status TEXT NOT NULL, stop_code TEXT, stopped_reason TEXT,"
	" created_at REAL NOT NULL, started_at REAL, stopped_at REAL,"
	" version INTEGER NOT NULL DEFAULT 1, delivered INTEGER NOT NULL DEFAULT 0,"
	" pull_started_at REAL, pull_stopped_at REAL);"
	"CREATE TABLE IF NOT EXISTS containers(task_id TEXT NOT NULL, idx INTEGER NOT NULL,"
	" name TEXT NOT NULL, image TEXT NOT NULL, last_status TEXT NOT NULL,"
	" exit_code INTEGER, reason TEXT, PRIMARY KEY(task_id, name));"
	"CREATE TABLE IF NOT EXISTS outbox(node_id TEXT NOT NULL, seq INTEGER NOT NULL,"
	" task_id TEXT NOT NULL, kind TEXT NOT NULL, frame TEXT NOT NULL,"
	" PRIMARY KEY(node_id, seq));"
	/* EventBridge's scheduled rules and their ECS targets (hub/schedules/rule_store.h). */
	"CREATE TABLE IF NOT EXISTS rules(name TEXT PRIMARY KEY, schedule TEXT NOT NULL,"
	" state TEXT NOT NULL, description TEXT, anchor INTEGER NOT NULL,"
	" last_tick INTEGER NOT NULL, next_due INTEGER, last_failure TEXT,"
	" last_failure_at REAL, failing INTEGER NOT NULL DEFAULT 0, created_at REAL NOT NULL);"
	"CREATE INDEX IF NOT EXISTS rules_due ON rules(next_due) WHERE state = 'ENABLED';"
	"CREATE TABLE IF NOT EXISTS rule_targets(rule TEXT NOT NULL, id TEXT NOT NULL,"
	" arn TEXT NOT NULL, role_arn TEXT, task_definition TEXT NOT NULL,"
	" task_count INTEGER NOT NULL, launch_type TEXT, task_group TEXT,"
	" PRIMARY KEY(rule, id));"
	/* Tags of any resource by its ARN (hub/tag_store.h). */
	"CREATE TABLE IF NOT EXISTS tags(resource_arn TEXT NOT NULL, key TEXT NOT NULL,"
	" value TEXT NOT NULL, PRIMARY KEY(resource_arn, key));"
	/* Placement and DescribeContainerInstances sum a node's tasks. */
	"CREATE INDEX IF NOT EXISTS tasks_by_node ON tasks(node_id);"
	/* Placement sums the tasks not yet stopped; stopped ones pile up (an hour of them, see
	 * hub/tasks/task_retention.h) and must not be read for that. */
	"CREATE INDEX IF NOT EXISTS tasks_active ON tasks(node_id, cpu, memory)"
	" WHERE last_status != 'STOPPED';"
	/* DescribeClusters counts tasks by status. */
	"CREATE INDEX IF NOT EXISTS tasks_by_status ON tasks(cluster, last_status);"
	/* The retention sweep's working set (per connection). */
	"CREATE TEMP TABLE IF NOT EXISTS forgotten(id TEXT PRIMARY KEY);"
	"INSERT OR IGNORE INTO clusters(name, created_at) VALUES('default', 0);"
	/* No agent is connected to a hub that just started. */
	"UPDATE nodes SET connected = 0;";

/* The service scheduler's tables (hub/services/), after the columns they index are added. */
static const char services_schema[] =
	/* CreateService's placementConstraints and placementStrategy, as given (JSON). */
	"CREATE TABLE IF NOT EXISTS service_placement(cluster TEXT NOT NULL, service TEXT NOT NULL,"
	" constraints TEXT, strategies TEXT, PRIMARY KEY(cluster, service));"
	"CREATE TABLE IF NOT EXISTS services(cluster TEXT NOT NULL, name TEXT NOT NULL,"
	" status TEXT NOT NULL, strategy TEXT NOT NULL, desired INTEGER NOT NULL,"
	" max_percent INTEGER NOT NULL, min_percent INTEGER NOT NULL,"
	" breaker_enable INTEGER NOT NULL, breaker_rollback INTEGER NOT NULL,"
	" created_at REAL NOT NULL, client_token TEXT, steady INTEGER NOT NULL DEFAULT 0,"
	" place_reason TEXT, place_event_at REAL, PRIMARY KEY(cluster, name));"
	"CREATE TABLE IF NOT EXISTS deployments(id TEXT PRIMARY KEY, cluster TEXT NOT NULL,"
	" service TEXT NOT NULL, family TEXT NOT NULL, revision INTEGER NOT NULL,"
	" status TEXT NOT NULL, failed INTEGER NOT NULL DEFAULT 0, rollout_state TEXT NOT NULL,"
	" rollout_reason TEXT, created_at REAL NOT NULL, updated_at REAL NOT NULL);"
	"CREATE INDEX IF NOT EXISTS deployments_by_service ON deployments(cluster, service);"
	"CREATE TABLE IF NOT EXISTS service_events(seq INTEGER PRIMARY KEY AUTOINCREMENT,"
	" cluster TEXT NOT NULL, service TEXT NOT NULL, id TEXT NOT NULL,"
	" created_at REAL NOT NULL, message TEXT NOT NULL);"
	"CREATE INDEX IF NOT EXISTS service_events_by_service ON service_events(cluster, service);"
	/* Since when the scheduler has seen each node without its link. */
	"CREATE TABLE IF NOT EXISTS node_lost(node_id TEXT PRIMARY KEY, since REAL NOT NULL);"
	/* The scheduler reads a service's tasks by their group. */
	"CREATE INDEX IF NOT EXISTS tasks_by_group ON tasks(cluster, task_group)"
	" WHERE last_status != 'STOPPED';";

double hub_now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	return (double)ts.tv_sec + (double)(ts.tv_nsec / 1000000) / 1000.0;
}

/* Columns added after a release: a database made before them gets them here, empty. */
static const struct {
	const char *table, *column, *declaration;
} added_columns[] = {
	{ "tasks", "pull_started_at", "REAL" },
	{ "tasks", "pull_stopped_at", "REAL" },
	{ "tasks", "health_status", "TEXT" },
	{ "containers", "health_status", "TEXT" },
	{ "containers", "health_output", "TEXT" },
	{ "nodes", "health", "TEXT" }, /* hub/node_health.h */
	{ "tasks", "started_by", "TEXT" },
	{ "tasks", "task_group", "TEXT" },
	{ "tasks", "client_token", "TEXT" },
	{ "tasks", "overrides", "TEXT" },       /* RunTask's overrides, as given */
	{ "containers", "cpu", "INTEGER" },    /* as the task runs it, overrides applied */
	{ "containers", "memory", "INTEGER" },
	{ "containers", "memory_reservation", "INTEGER" },
	{ "containers", "runtime_id", "TEXT" },   /* the agent's, from task_state */
	{ "containers", "restart_count", "INTEGER" }, /* the agent's, from task_state */
	{ "nodes", "link_changed_at", "REAL" }, /* HUB_STORE_LINK_CHANGED_NOW */
	{ "taskdefs", "status", "TEXT" }, /* NULL: ACTIVE; INACTIVE once deregistered */
	{ "taskdefs", "deregistered_at", "REAL" },
	{ "clusters", "status", "TEXT" }, /* NULL: ACTIVE; INACTIVE once deleted */
	{ "activations", "default_instance_name", "TEXT" },
	{ "nodes", "activation_id", "TEXT" }, /* the activation it registered with */
	{ "nodes", "iam_role", "TEXT" },      /* that activation's, kept past its deletion */
	{ "nodes", "last_seen_at", "REAL" },  /* its agent's last hello, node_status or goodbye */
};

static int add_missing_columns(sqlite3 *db, char **msg)
{
	for (size_t i = 0; i < sizeof(added_columns) / sizeof(added_columns[0]); i++) {
		char sql[256];
		snprintf(sql, sizeof(sql), "SELECT 1 FROM pragma_table_info('%s') WHERE name = '%s'",
			 added_columns[i].table, added_columns[i].column);
		sqlite3_stmt *st = NULL;
		if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK)
			return SQLITE_ERROR;
		bool present = sqlite3_step(st) == SQLITE_ROW;
		sqlite3_finalize(st);
		if (present)
			continue;
		snprintf(sql, sizeof(sql), "ALTER TABLE %s ADD COLUMN %s %s", added_columns[i].table,
			 added_columns[i].column, added_columns[i].declaration);
		int rc = sqlite3_exec(db, sql, NULL, NULL, msg);
		if (rc != SQLITE_OK)
			return rc;
	}
	return SQLITE_OK;
}

static int sql_error(struct hub_store *s, struct error *err, const char *what)
{
	return error_set(err, EIO, "%s: %s", what, sqlite3_errmsg(s->db));
}

int hub_store_open(const char *path, struct hub_store **ret, struct error *err)
{
	struct hub_store *s = calloc(1, sizeof(*s));
	if (!s)
		return error_set(err, ENOMEM, "out of memory");
	int flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_FULLMUTEX;
	if (sqlite3_open_v2(path, &s->db, flags, NULL) != SQLITE_OK) {
		int r = error_set(err, EIO, "open database %s: %s", path,
				  s->db ? sqlite3_errmsg(s->db) : "out of memory");
		hub_store_close(s);
		return r;
	}
	sqlite3_busy_timeout(s->db, 5000);
	int r = sqlite_check_sound(s->db,
				   "The hub has not changed it. Restore it from a backup, or save what"
				   " SQLite can read (sqlite3 FILE .recover | sqlite3 NEW) and start the"
				   " hub with --db NEW.",
				   err);
	if (r < 0) {
		hub_store_close(s);
		return error_wrap(err, "%s", path);
	}
	if (!(s->stmts = stmt_cache_new(s->db))) {
		hub_store_close(s);
		return error_set(err, ENOMEM, "out of memory");
	}
	char *msg = NULL;
	/* Reads through a memory map: placement scans every node of a cluster, and through
	 * SQLite's default 2 MiB page cache each scan of a fleet of thousands was a pread per
	 * page. */
	if (sqlite3_exec(s->db, "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;"
			 "PRAGMA foreign_keys=ON; PRAGMA mmap_size=268435456;", NULL, NULL,
			 &msg) != SQLITE_OK ||
	    sqlite3_exec(s->db, schema, NULL, NULL, &msg) != SQLITE_OK ||
	    add_missing_columns(s->db, &msg) != SQLITE_OK ||
	    sqlite3_exec(s->db, services_schema, NULL, NULL, &msg) != SQLITE_OK) {
		r = error_set(err, EIO, "database %s: %s", path, msg ? msg : "schema failed");
		sqlite3_free(msg);
		hub_store_close(s);
		return r;
	}
	*ret = s;
	return 0;
}

static void forget_wakes(struct hub_store *s)
{
	for (size_t i = 0; i < s->n_wake_pending; i++)
		free(s->wake_pending[i]);
	s->n_wake_pending = 0;
}

void hub_store_close(struct hub_store *s)
{
	if (!s)
		return;
	forget_wakes(s);
	free(s->wake_pending);
	stmt_cache_free(s->stmts);
	sqlite3_close(s->db);
	free(s);
}

static int exec_plain(struct hub_store *s, const char *sql, struct error *err)
{
	sqlite3_stmt *st = hub_store_prepare(s, sql, err);
	if (!st)
		return -EIO;
	int r = sqlite3_step(st) == SQLITE_DONE ? 0 : sql_error(s, err, sql);
	stmt_release(st);
	return r;
}

/* A transaction begun inside another is a savepoint of it: the scheduled rules run RunTask's
 * transaction inside the one that records the tick they fired, so both commit or neither. */
int hub_store_begin(struct hub_store *s, struct error *err)
{
	int r = exec_plain(s, s->depth ? "SAVEPOINT nested" : "BEGIN IMMEDIATE", err);
	if (r == 0)
		s->depth++;
	return r;
}

/* The listener may queue more or open its own transaction: the list is taken first. */
static void tell_wakes(struct hub_store *s)
{
	while (s->n_wake_pending > 0) {
		_cleanup_free_ char *node_id = s->wake_pending[--s->n_wake_pending];
		if (s->on_frame_queued)
			s->on_frame_queued(s->on_frame_queued_userdata, node_id);
	}
}

int hub_store_commit(struct hub_store *s, struct error *err)
{
	if (s->depth > 1) {
		int r = exec_plain(s, "RELEASE nested", err);
		if (r == 0)
			s->depth--;
		return r;
	}
	int r = exec_plain(s, "COMMIT", err);
	if (r == 0) {
		s->depth = 0;
		tell_wakes(s);
	}
	return r;
}

void hub_store_rollback(struct hub_store *s)
{
	if (s->depth > 1) {
		sqlite3_exec(s->db, "ROLLBACK TO nested; RELEASE nested", NULL, NULL, NULL);
		s->depth--;
		return;
	}
	if (!sqlite3_get_autocommit(s->db))
		sqlite3_exec(s->db, "ROLLBACK", NULL, NULL, NULL);
	s->depth = 0;
	forget_wakes(s);
}

int hub_store_wake_after_commit(struct hub_store *s, const char *node_id, struct error *err)
{
	if (sqlite3_get_autocommit(s->db)) {
		if (s->on_frame_queued)
			s->on_frame_queued(s->on_frame_queued_userdata, node_id);
		return 0;
	}
	for (size_t i = 0; i < s->n_wake_pending; i++)
		if (!strcmp(s->wake_pending[i], node_id))
			return 0;
	if (s->n_wake_pending == s->wake_pending_size) {
		size_t size = s->wake_pending_size ? 2 * s->wake_pending_size : 8;
		char **grown = reallocarray(s->wake_pending, size, sizeof(*grown));
		if (!grown)
			return error_set(err, ENOMEM, "out of memory");
		s->wake_pending = grown;
		s->wake_pending_size = size;
	}
	s->wake_pending[s->n_wake_pending] = strdup(node_id);
	if (!s->wake_pending[s->n_wake_pending])
		return error_set(err, ENOMEM, "out of memory");
	s->n_wake_pending++;
	return 0;
}

sqlite3_stmt *hub_store_prepare(struct hub_store *s, const char *sql, struct error *err)
{
	sqlite3_stmt *st = stmt_cache_get(s->stmts, sql);
	if (!st)
		sql_error(s, err, "prepare");
	return st;
}

int hub_store_step_done(struct hub_store *s, sqlite3_stmt *st, struct error *err)
{
	int rc = sqlite3_step(st);
	int r = rc == SQLITE_DONE || rc == SQLITE_ROW ? 0 : sql_error(s, err, "write");
	stmt_release(st);
	return r;
}

int hub_store_exec_text(struct hub_store *s, const char *sql, struct error *err, int n, ...)
{
	sqlite3_stmt *st = hub_store_prepare(s, sql, err);
	if (!st)
		return -EIO;
	va_list ap;
	va_start(ap, n);
	for (int i = 0; i < n; i++)
		sqlite3_bind_text(st, i + 1, va_arg(ap, const char *), -1, SQLITE_TRANSIENT);
	va_end(ap);
	return hub_store_step_done(s, st, err);
}
