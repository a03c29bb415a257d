#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <time.h>

#include "common/cleanup.h"
#include "hub/store.h"

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
	"CREATE TABLE IF NOT EXISTS taskdefs(family TEXT NOT NULL, revision INTEGER NOT NULL,"
	" body TEXT NOT NULL, registered_at REAL NOT NULL, PRIMARY KEY(family, revision));"
	"CREATE TABLE IF NOT EXISTS tasks(id TEXT PRIMARY KEY, cluster TEXT NOT NULL,"
	" family TEXT NOT NULL, revision INTEGER NOT NULL, node_id TEXT NOT NULL,"
	" cpu INTEGER NOT NULL, memory INTEGER NOT NULL, last_status TEXT NOT NULL,"
	" desired_status TEXT NOT NULL, stop_code TEXT, stopped_reason TEXT,"
	" created_at REAL NOT NULL, started_at REAL, stopped_at REAL,"
	" version INTEGER NOT NULL DEFAULT 1, delivered INTEGER NOT NULL DEFAULT 0);"
	"CREATE TABLE IF NOT EXISTS containers(task_id TEXT NOT NULL, idx INTEGER NOT NULL,"
	" name TEXT NOT NULL, image TEXT NOT NULL, last_status TEXT NOT NULL,"
	" exit_code INTEGER, reason TEXT, PRIMARY KEY(task_id, name));"
	"CREATE TABLE IF NOT EXISTS outbox(node_id TEXT NOT NULL, seq INTEGER NOT NULL,"
	" task_id TEXT NOT NULL, kind TEXT NOT NULL, frame TEXT NOT NULL,"
	" PRIMARY KEY(node_id, seq));"
	"INSERT OR IGNORE INTO clusters(name, created_at) VALUES('default', 0);"
	/* No agent is connected to a hub that just started. */
	"UPDATE nodes SET connected = 0;";

double hub_now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	return (double)ts.tv_sec + (double)(ts.tv_nsec / 1000000) / 1000.0;
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
	char *msg = NULL;
	if (sqlite3_exec(s->db, "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;"
			 "PRAGMA foreign_keys=ON;", NULL, NULL, &msg) != SQLITE_OK ||
	    sqlite3_exec(s->db, schema, NULL, NULL, &msg) != SQLITE_OK) {
		int r = error_set(err, EIO, "database %s: %s", path, msg ? msg : "schema failed");
		sqlite3_free(msg);
		hub_store_close(s);
		return r;
	}
	*ret = s;
	return 0;
}

void hub_store_close(struct hub_store *s)
{
	if (!s)
		return;
	sqlite3_close(s->db);
	free(s);
}

static int exec_plain(struct hub_store *s, const char *sql, struct error *err)
{
	if (sqlite3_exec(s->db, sql, NULL, NULL, NULL) != SQLITE_OK)
		return sql_error(s, err, sql);
	return 0;
}

int hub_store_begin(struct hub_store *s, struct error *err)
{
	return exec_plain(s, "BEGIN IMMEDIATE", err);
}

int hub_store_commit(struct hub_store *s, struct error *err)
{
	return exec_plain(s, "COMMIT", err);
}

void hub_store_rollback(struct hub_store *s)
{
	if (!sqlite3_get_autocommit(s->db))
		sqlite3_exec(s->db, "ROLLBACK", NULL, NULL, NULL);
}

sqlite3_stmt *hub_store_prepare(struct hub_store *s, const char *sql, struct error *err)
{
	sqlite3_stmt *st = NULL;
	if (sqlite3_prepare_v2(s->db, sql, -1, &st, NULL) != SQLITE_OK) {
		sql_error(s, err, "prepare");
		return NULL;
	}
	return st;
}

int hub_store_step_done(struct hub_store *s, sqlite3_stmt *st, struct error *err)
{
	int rc = sqlite3_step(st);
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE && rc != SQLITE_ROW)
		return sql_error(s, err, "write");
	return 0;
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
