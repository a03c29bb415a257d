#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sqlite3.h>

#include "agent/state/store.h"
#include "common/cleanup.h"
#include "common/crash_point.h"
#include "common/parse.h"
#include "common/sqlite_check.h"
#include "common/sqlite_stmt_cache.h"
#include "protocol/frame.h"
#include "protocol/json_value.h"

struct store {
	sqlite3 *db;
	char *path;      /* named in every error: the operator's fix is about this file */
	/* Statements are prepared once per SQL text and reset after each use: parsing them per
	 * call was a tenth of the daemon's time per task. */
	struct stmt_cache *stmts;
	bool deferred;   /* writes join one transaction until store_commit */
	bool open;       /* that transaction has begun */
	int turn_failure; /* errno of a write of that transaction that failed, 0 if none */
};

static const char schema[] =
	"CREATE TABLE IF NOT EXISTS tasks ("
	" arn TEXT PRIMARY KEY,"
	" definition TEXT NOT NULL,"
	" status TEXT,"
	" last_state TEXT,"
	" added INTEGER NOT NULL DEFAULT (strftime('%s','now')));"
	"CREATE TABLE IF NOT EXISTS outbox ("
	" seq INTEGER PRIMARY KEY,"
	" frame TEXT NOT NULL);"
	"CREATE TABLE IF NOT EXISTS meta ("
	" key TEXT PRIMARY KEY,"
	" value TEXT NOT NULL);"
	"CREATE TABLE IF NOT EXISTS finished ("
	" arn TEXT PRIMARY KEY);"
	/* Restart policies' records (store.h: store_restart_set), until the task is forgotten. */
	"CREATE TABLE IF NOT EXISTS restarts ("
	" task_arn TEXT NOT NULL,"
	" container TEXT NOT NULL,"
	" count INTEGER NOT NULL,"
	" last_restart_at REAL NOT NULL,"
	" owed_after_monitor INTEGER NOT NULL,"
	" PRIMARY KEY (task_arn, container));"
	/* A task_stop stored before it is acked, until the task is forgotten. */
	"CREATE TABLE IF NOT EXISTS stops ("
	" arn TEXT PRIMARY KEY,"
	" reason TEXT NOT NULL);";

/* Forgetting a task: its row and its stop go, its ARN joins the newest STORE_FINISHED_KEEP
 * finished ones (rowid grows with each insertion). */
static const char forget_sql[] =
	"INSERT OR REPLACE INTO finished (arn) VALUES (?1);"
	"DELETE FROM tasks WHERE arn = ?1;"
	"DELETE FROM restarts WHERE task_arn = ?1;"
	"DELETE FROM stops WHERE arn = ?1;"
	"DELETE FROM finished WHERE rowid <= (SELECT MAX(rowid) FROM finished) - ?2;";

/* What SQLite's last failure means for the operator, as an errno: a full disk, a read-only
 * file system and a damaged file each have their own fix (store.h). */
static int failure_errno(sqlite3 *db)
{
	int os = sqlite3_system_errno(db);
	switch (sqlite3_extended_errcode(db) & 0xff) {
	case SQLITE_FULL:
		return ENOSPC;
	case SQLITE_READONLY:
		return EROFS;
	case SQLITE_CORRUPT:
	case SQLITE_NOTADB:
		return EUCLEAN;
	case SQLITE_NOMEM:
		return ENOMEM;
	case SQLITE_IOERR:
	case SQLITE_CANTOPEN:
		if (os == ENOSPC || os == EDQUOT || os == EROFS || os == EACCES || os == EPERM)
			return os;
		return EIO;
	default:
		return EIO;
	}
}

static int db_error(struct store *s, struct error *err, const char *what)
{
	return error_set(err, failure_errno(s->db), "%s: %s: %s", s->path, what,
			 sqlite3_errmsg(s->db));
}

static int exec_sql(struct store *s, const char *sql, struct error *err)
{
	char *msg = NULL;
	if (sqlite3_exec(s->db, sql, NULL, NULL, &msg) != SQLITE_OK) {
		int r = error_set(err, failure_errno(s->db), "%s: %s", s->path,
				  msg ? msg : sqlite3_errmsg(s->db));
		sqlite3_free(msg);
		return r;
	}
	return 0;
}

/* A failure such as SQLITE_FULL may make SQLite roll the whole transaction back by itself
 * (sqlite3.org/lang_transaction.html): the writes of the turn before it are gone, and a later
 * SAVEPOINT would begin a transaction of its own that commits alone. From then on the turn
 * fails as a whole, so that the caller retries all of it. */
static int turn_lost(struct store *s, struct error *err)
{
	return error_set(err, s->turn_failure ? s->turn_failure : EIO,
			 "%s: SQLite undid this turn's writes after one of them failed", s->path);
}

static void finalizep(sqlite3_stmt **st)
{
	sqlite3_finalize(*st);
}

/* A statement to give back with _cleanup_stmt_. */
static int prepare(struct store *s, const char *sql, sqlite3_stmt **ret, struct error *err)
{
	*ret = stmt_cache_get(s->stmts, sql);
	return *ret ? 0 : db_error(s, err, "state database");
}

/* One write: its own transaction, or a savepoint in the deferred one. */
static int write_begin(struct store *s, struct error *err)
{
	if (!s->deferred)
		return exec_sql(s, "BEGIN IMMEDIATE", err);
	if (!s->open) {
		int r = exec_sql(s, "BEGIN IMMEDIATE", err);
		if (r < 0)
			return r;
		s->open = true;
	} else if (sqlite3_get_autocommit(s->db)) {
		return turn_lost(s, err);
	}
	return exec_sql(s, "SAVEPOINT store_write", err);
}

/* End the write begun by write_begin: kept when R >= 0, undone otherwise. Returns R, or the
 * commit's failure. */
static int write_end(struct store *s, int r, struct error *err)
{
	const char *keep = s->deferred ? "RELEASE store_write" : "COMMIT";
	const char *undo = s->deferred ? "ROLLBACK TO store_write; RELEASE store_write" : "ROLLBACK";
	if (r >= 0) {
		int k = exec_sql(s, keep, err);
		if (k >= 0)
			return r;
		r = k;
	}
	if (s->deferred && !s->turn_failure)
		s->turn_failure = -r;
	exec_sql(s, undo, NULL);
	return r;
}

void store_defer_commits(struct store *s)
{
	s->deferred = true;
}

bool store_commit_pending(const struct store *s)
{
	return s->open;
}

int store_commit(struct store *s, struct error *err)
{
	if (!s->open)
		return 0;
	s->open = false;
	int r = sqlite3_get_autocommit(s->db) ? turn_lost(s, err) : exec_sql(s, "COMMIT", err);
	s->turn_failure = 0;
	if (r < 0 && !sqlite3_get_autocommit(s->db))
		exec_sql(s, "ROLLBACK", NULL);
	return r;
}

const char *store_path(const struct store *s)
{
	return s->path;
}

/* A damaged file is refused whole, before anything reads or writes it: starting on what
 * SQLite can still read would forget tasks that run and state changes the hub has not seen,
 * and a daemon that starts empty would leave running containers unadopted. */
static int check_sound(struct store *s, struct error *err)
{
	_cleanup_free_ char *advice = NULL;
	if (asprintf(&advice, "tether has not changed it; the containers it started run on under "
		     "their monitors. Fix: stop tether, then `sqlite3 %s .recover | sqlite3 "
		     "%s.recovered`, `mv %s %s.damaged` (with its -wal and -shm files) and `mv "
		     "%s.recovered %s`, and start tether: it adopts the running containers of the "
		     "tasks recovered. Moving the file aside alone starts the node with no task "
		     "known (running containers are then not adopted)",
		     s->path, s->path, s->path, s->path, s->path, s->path) < 0)
		return error_set(err, ENOMEM, "out of memory");
	int r = sqlite_check_sound(s->db, advice, err);
	if (r < 0 && err)
		error_wrap(err, "%s", s->path);
	return r;
}

int store_open(const char *path, bool read_only, struct store **ret, struct error *err)
{
	struct store *s = calloc(1, sizeof(*s));
	if (!s || !(s->path = strdup(path))) {
		free(s);
		return error_set(err, ENOMEM, "out of memory");
	}
	int flags = read_only ? SQLITE_OPEN_READONLY
			      : SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE;
	if (sqlite3_open_v2(path, &s->db, flags | SQLITE_OPEN_NOMUTEX, NULL) != SQLITE_OK) {
		int r = error_set(err, s->db ? failure_errno(s->db) : ENOMEM, "open %s: %s", path,
				  s->db ? sqlite3_errmsg(s->db) : "out of memory");
		store_close(s);
		return r;
	}
	sqlite3_busy_timeout(s->db, 2000);
	if (!(s->stmts = stmt_cache_new(s->db))) {
		store_close(s);
		return error_set(err, ENOMEM, "out of memory");
	}
	int r = 0;
	if (!read_only)
		r = check_sound(s, err);
	if (r >= 0 && !read_only) {
		/* WAL lets `tether status` read while the daemon writes; synchronous=FULL
		 * because an acked assignment must survive a power cut. A 256 KiB page cache
		 * instead of SQLite's 2 MB: the finished ARNs' table grows to 10,000 rows, and
		 * with the default cache the agent's heap grew with it by about 170 bytes a task;
		 * the file's pages stay in the kernel's cache anyway. */
		r = exec_sql(s, "PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL; "
			     "PRAGMA cache_size=-256;", err);
		if (r >= 0)
			r = exec_sql(s, schema, err);
	}
	if (r < 0) {
		store_close(s); /* every message names the file already */
		return r;
	}
	*ret = s;
	return 0;
}

void store_close(struct store *s)
{
	if (!s)
		return;
	(void)store_commit(s, NULL);
	stmt_cache_free(s->stmts);
	sqlite3_close(s->db);
	free(s->path);
	free(s);
}

static int task_finished(struct store *s, const char *task_arn, struct error *err)
{
	_cleanup_stmt_ sqlite3_stmt *st = NULL;
	int r = prepare(s, "SELECT 1 FROM finished WHERE arn = ?", &st, err);
	if (r < 0)
		return r;
	sqlite3_bind_text(st, 1, task_arn, -1, SQLITE_STATIC);
	r = sqlite3_step(st);
	if (r != SQLITE_ROW && r != SQLITE_DONE)
		return db_error(s, err, "read finished tasks");
	return r == SQLITE_ROW;
}

static int task_add_locked(struct store *s, const char *task_arn, const char *definition_json,
			   struct error *err)
{
	int r = task_finished(s, task_arn, err);
	if (r != 0)
		return r < 0 ? r : 0;
	_cleanup_stmt_ sqlite3_stmt *st = NULL;
	r = prepare(s, "INSERT OR IGNORE INTO tasks (arn, definition) VALUES (?, ?)", &st, err);
	if (r < 0)
		return r;
	sqlite3_bind_text(st, 1, task_arn, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, definition_json, -1, SQLITE_STATIC);
	if (sqlite3_step(st) != SQLITE_DONE)
		return db_error(s, err, "store task");
	return sqlite3_changes(s->db) > 0 ? 1 : 0;
}

int store_task_add(struct store *s, const char *task_arn, const char *definition_json,
		   struct error *err)
{
	int r = write_begin(s, err);
	if (r < 0)
		return r;
	return write_end(s, task_add_locked(s, task_arn, definition_json, err), err);
}

static int task_stop_locked(struct store *s, const char *task_arn, const char *reason,
			    struct error *err)
{
	_cleanup_stmt_ sqlite3_stmt *st = NULL;
	int r = prepare(s, "INSERT OR IGNORE INTO stops (arn, reason)"
			" SELECT arn, ?2 FROM tasks WHERE arn = ?1", &st, err);
	if (r < 0)
		return r;
	sqlite3_bind_text(st, 1, task_arn, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, reason, -1, SQLITE_STATIC);
	if (sqlite3_step(st) != SQLITE_DONE)
		return db_error(s, err, "store stop");
	return sqlite3_changes(s->db) > 0 ? 1 : 0;
}

int store_task_stop(struct store *s, const char *task_arn, const char *reason,
		    struct error *err)
{
	int r = write_begin(s, err);
	if (r < 0)
		return r;
	return write_end(s, task_stop_locked(s, task_arn, reason, err), err);
}

int store_stops_foreach(struct store *s, store_stop_fn fn, void *userdata, struct error *err)
{
	_cleanup_stmt_ sqlite3_stmt *st = NULL;
	int r = prepare(s, "SELECT arn, reason FROM stops ORDER BY rowid", &st, err);
	if (r < 0)
		return r;
	while ((r = sqlite3_step(st)) == SQLITE_ROW) {
		int k = fn(userdata, (const char *)sqlite3_column_text(st, 0),
			   (const char *)sqlite3_column_text(st, 1));
		if (k < 0)
			return k;
	}
	if (r != SQLITE_DONE)
		return db_error(s, err, "read stops");
	return 0;
}

static int next_seq(struct store *s, uint64_t *ret, struct error *err)
{
	/* The seq counter lives in meta rather than in MAX(outbox.seq): acked rows are deleted
	 * and seqs must keep increasing across them and across restarts. */
	_cleanup_free_ char *value = NULL;
	int r = store_meta_get(s, "next_seq", &value, err);
	if (r < 0)
		return r;
	uint64_t seq = 1;
	if (value && parse_u64(value, 1, JSON_MAX_SAFE_INTEGER, &seq) < 0)
		return error_set(err, EINVAL, "state database: bad next_seq '%s'", value);
	char buf[32];
	snprintf(buf, sizeof(buf), "%" PRIu64, seq + 1);
	r = store_meta_set(s, "next_seq", buf, err);
	if (r < 0)
		return r;
	*ret = seq;
	return 0;
}

/* The frame says nothing new: the same as the task's last state apart from its time and seq
 * (a resumed task, or a tick that touched nothing visible). */
static bool same_as_last(struct store *s, const char *task_arn, const cJSON *frame)
{
	_cleanup_stmt_ sqlite3_stmt *st = NULL;
	if (prepare(s, "SELECT last_state FROM tasks WHERE arn = ?", &st, NULL) < 0)
		return false;
	sqlite3_bind_text(st, 1, task_arn, -1, SQLITE_STATIC);
	if (sqlite3_step(st) != SQLITE_ROW || sqlite3_column_type(st, 0) != SQLITE_TEXT)
		return false;
	cJSON *last = cJSON_Parse((const char *)sqlite3_column_text(st, 0));
	cJSON *now = cJSON_Duplicate(frame, true);
	bool same = false;
	if (last && now) {
		static const char *const ignored[] = { "at", "seq" };
		for (size_t i = 0; i < ELEMENTSOF(ignored); i++) {
			cJSON_DeleteItemFromObjectCaseSensitive(last, ignored[i]);
			cJSON_DeleteItemFromObjectCaseSensitive(now, ignored[i]);
		}
		/* The pull's times are told once and kept by the hub; a task adopted after a
		 * restart no longer knows them, and their absence is no change. */
		static const char *const once[] = { "pull_started_at", "pull_stopped_at" };
		for (size_t i = 0; i < ELEMENTSOF(once); i++)
			if (!cJSON_HasObjectItem(now, once[i]))
				cJSON_DeleteItemFromObjectCaseSensitive(last, once[i]);
		same = cJSON_Compare(last, now, true);
	}
	cJSON_Delete(last);
	cJSON_Delete(now);
	return same;
}

static int append_locked(struct store *s, const char *task_arn, const char *status, cJSON *frame,
			 uint64_t *ret_seq, char **ret_text, struct error *err)
{
	if (same_as_last(s, task_arn, frame)) {
		*ret_seq = 0;
		*ret_text = NULL;
		return 0;
	}
	uint64_t seq = 0;
	int r = next_seq(s, &seq, err);
	if (r < 0)
		return r;
	cJSON_DeleteItemFromObjectCaseSensitive(frame, "seq");
	if (!cJSON_AddNumberToObject(frame, "seq", (double)seq))
		return error_set(err, ENOMEM, "out of memory");
	_cleanup_free_ char *text = frame_print(frame);
	if (!text)
		return error_set(err, ENOMEM, "out of memory");

	_cleanup_stmt_ sqlite3_stmt *ins = NULL;
	r = prepare(s, "INSERT INTO outbox (seq, frame) VALUES (?, ?)", &ins, err);
	if (r < 0)
		return r;
	sqlite3_bind_int64(ins, 1, (sqlite3_int64)seq);
	sqlite3_bind_text(ins, 2, text, -1, SQLITE_STATIC);
	if (sqlite3_step(ins) != SQLITE_DONE)
		return db_error(s, err, "append to outbox");

	_cleanup_stmt_ sqlite3_stmt *upd = NULL;
	r = prepare(s, "UPDATE tasks SET status = ?, last_state = ? WHERE arn = ?", &upd, err);
	if (r < 0)
		return r;
	sqlite3_bind_text(upd, 1, status, -1, SQLITE_STATIC);
	sqlite3_bind_text(upd, 2, text, -1, SQLITE_STATIC);
	sqlite3_bind_text(upd, 3, task_arn, -1, SQLITE_STATIC);
	if (sqlite3_step(upd) != SQLITE_DONE)
		return db_error(s, err, "update task state");

	*ret_seq = seq;
	*ret_text = TAKE_PTR(text);
	return 0;
}

int store_task_state_append(struct store *s, const char *task_arn, const char *status,
			    cJSON *frame, uint64_t *ret_seq, char **ret_text, struct error *err)
{
	int r = write_begin(s, err);
	if (r < 0)
		return r;
	uint64_t seq = 0;
	_cleanup_free_ char *text = NULL;
	r = write_end(s, append_locked(s, task_arn, status, frame, &seq, &text, err), err);
	if (r < 0)
		return r;
	*ret_seq = seq;
	*ret_text = TAKE_PTR(text);
	return 0;
}

/* The ARN of the task whose final (STOPPED) state is outbox frame SEQ, or NULL. */
static int stopped_task_of(struct store *s, uint64_t seq, char **ret, struct error *err)
{
	_cleanup_stmt_ sqlite3_stmt *st = NULL;
	int r = prepare(s, "SELECT t.arn FROM outbox o JOIN tasks t ON t.last_state = o.frame "
			"WHERE o.seq = ? AND t.status = 'STOPPED'", &st, err);
	if (r < 0)
		return r;
	sqlite3_bind_int64(st, 1, (sqlite3_int64)seq);
	*ret = NULL;
	r = sqlite3_step(st);
	if (r == SQLITE_DONE)
		return 0;
	if (r != SQLITE_ROW)
		return db_error(s, err, "read outbox");
	if (!(*ret = strdup((const char *)sqlite3_column_text(st, 0))))
		return error_set(err, ENOMEM, "out of memory");
	return 0;
}

static int forget_task(struct store *s, const char *task_arn, struct error *err)
{
	/* After each statement of forget_sql but the last, within the ack's transaction. */
	static const char *const crossed[] = { "forget-listed", "forget-removed" };
	const char *sql = forget_sql;
	for (size_t i = 0; *sql; i++) {
		_cleanup_(finalizep) sqlite3_stmt *st = NULL;
		if (sqlite3_prepare_v2(s->db, sql, -1, &st, &sql) != SQLITE_OK)
			return db_error(s, err, "forget task");
		if (!st)
			break;
		if (sqlite3_bind_parameter_count(st) >= 1)
			sqlite3_bind_text(st, 1, task_arn, -1, SQLITE_STATIC);
		if (sqlite3_bind_parameter_count(st) >= 2)
			sqlite3_bind_int64(st, 2, STORE_FINISHED_KEEP);
		if (sqlite3_step(st) != SQLITE_DONE)
			return db_error(s, err, "forget task");
		if (i < ELEMENTSOF(crossed))
			crash_point(crossed[i]);
	}
	return 0;
}

static int ack_locked(struct store *s, uint64_t seq, char **ret_finished, struct error *err)
{
	_cleanup_free_ char *arn = NULL;
	int r = stopped_task_of(s, seq, &arn, err);
	if (r < 0)
		return r;
	_cleanup_stmt_ sqlite3_stmt *st = NULL;
	r = prepare(s, "DELETE FROM outbox WHERE seq = ?", &st, err);
	if (r < 0)
		return r;
	sqlite3_bind_int64(st, 1, (sqlite3_int64)seq);
	if (sqlite3_step(st) != SQLITE_DONE)
		return db_error(s, err, "delete from outbox");
	if (arn) {
		r = forget_task(s, arn, err);
		if (r < 0)
			return r;
	}
	*ret_finished = TAKE_PTR(arn);
	return 0;
}

int store_outbox_ack_task(struct store *s, uint64_t seq, char **ret_finished,
			  struct error *err)
{
	int r = write_begin(s, err);
	if (r < 0)
		return r;
	_cleanup_free_ char *arn = NULL;
	r = write_end(s, ack_locked(s, seq, &arn, err), err);
	if (r < 0)
		return r;
	*ret_finished = TAKE_PTR(arn);
	return 0;
}

int store_outbox_ack(struct store *s, uint64_t seq, struct error *err)
{
	_cleanup_free_ char *arn = NULL;
	return store_outbox_ack_task(s, seq, &arn, err);
}

int store_outbox_foreach(struct store *s, store_outbox_fn fn, void *userdata, struct error *err)
{
	_cleanup_stmt_ sqlite3_stmt *st = NULL;
	int r = prepare(s, "SELECT seq, frame FROM outbox ORDER BY seq", &st, err);
	if (r < 0)
		return r;
	while ((r = sqlite3_step(st)) == SQLITE_ROW) {
		int k = fn(userdata, (uint64_t)sqlite3_column_int64(st, 0),
			   (const char *)sqlite3_column_text(st, 1));
		if (k < 0)
			return k;
	}
	if (r != SQLITE_DONE)
		return db_error(s, err, "read outbox");
	return 0;
}

int store_outbox_count(struct store *s, uint64_t *ret, struct error *err)
{
	_cleanup_stmt_ sqlite3_stmt *st = NULL;
	int r = prepare(s, "SELECT COUNT(*) FROM outbox", &st, err);
	if (r < 0)
		return r;
	if (sqlite3_step(st) != SQLITE_ROW)
		return db_error(s, err, "count outbox");
	*ret = (uint64_t)sqlite3_column_int64(st, 0);
	return 0;
}

int store_acked_seq(struct store *s, uint64_t *ret, struct error *err)
{
	_cleanup_stmt_ sqlite3_stmt *st = NULL;
	int r = prepare(s, "SELECT coalesce((SELECT min(seq) FROM outbox),"
			" (SELECT CAST(value AS INTEGER) FROM meta WHERE key = 'next_seq'), 1) - 1",
			&st, err);
	if (r < 0)
		return r;
	if (sqlite3_step(st) != SQLITE_ROW)
		return db_error(s, err, "read outbox");
	sqlite3_int64 v = sqlite3_column_int64(st, 0);
	*ret = v > 0 ? (uint64_t)v : 0;
	return 0;
}

int store_tasks_foreach(struct store *s, store_task_fn fn, void *userdata, struct error *err)
{
	_cleanup_stmt_ sqlite3_stmt *st = NULL;
	int r = prepare(s, "SELECT arn, definition, status, last_state FROM tasks ORDER BY rowid",
			&st, err);
	if (r < 0)
		return r;
	while ((r = sqlite3_step(st)) == SQLITE_ROW) {
		int k = fn(userdata, (const char *)sqlite3_column_text(st, 0),
			   (const char *)sqlite3_column_text(st, 1),
			   (const char *)sqlite3_column_text(st, 2),
			   (const char *)sqlite3_column_text(st, 3));
		if (k < 0)
			return k;
	}
	if (r != SQLITE_DONE)
		return db_error(s, err, "read tasks");
	return 0;
}

int store_meta_set(struct store *s, const char *key, const char *value, struct error *err)
{
	_cleanup_stmt_ sqlite3_stmt *st = NULL;
	int r = prepare(s, "INSERT OR REPLACE INTO meta (key, value) VALUES (?, ?)", &st, err);
	if (r < 0)
		return r;
	sqlite3_bind_text(st, 1, key, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, value, -1, SQLITE_STATIC);
	if (sqlite3_step(st) != SQLITE_DONE)
		return db_error(s, err, "write meta");
	return 0;
}

int store_meta_delete(struct store *s, const char *key, struct error *err)
{
	_cleanup_stmt_ sqlite3_stmt *st = NULL;
	int r = prepare(s, "DELETE FROM meta WHERE key = ?", &st, err);
	if (r < 0)
		return r;
	sqlite3_bind_text(st, 1, key, -1, SQLITE_STATIC);
	if (sqlite3_step(st) != SQLITE_DONE)
		return db_error(s, err, "delete meta");
	return 0;
}

int store_write_probe(struct store *s, struct error *err)
{
	if (s->open)
		return error_set(err, EBUSY, "state database: writes not yet committed");
	int r = exec_sql(s, "BEGIN IMMEDIATE", err);
	if (r < 0)
		return r;
	r = exec_sql(s, "INSERT OR REPLACE INTO meta (key, value)"
		     " VALUES ('health_probe', strftime('%s','now'))", err);
	if (r >= 0)
		r = exec_sql(s, "COMMIT", err);
	if (r < 0)
		exec_sql(s, "ROLLBACK", NULL);
	return r;
}

int store_meta_get(struct store *s, const char *key, char **ret, struct error *err)
{
	_cleanup_stmt_ sqlite3_stmt *st = NULL;
	int r = prepare(s, "SELECT value FROM meta WHERE key = ?", &st, err);
	if (r < 0)
		return r;
	sqlite3_bind_text(st, 1, key, -1, SQLITE_STATIC);
	r = sqlite3_step(st);
	if (r == SQLITE_DONE) {
		*ret = NULL;
		return 0;
	}
	if (r != SQLITE_ROW)
		return db_error(s, err, "read meta");
	char *v = strdup((const char *)sqlite3_column_text(st, 0));
	if (!v)
		return error_set(err, ENOMEM, "out of memory");
	*ret = v;
	return 0;
}

static int restart_set_locked(struct store *s, const char *task_arn, const char *container,
			      const struct store_restart *rec, struct error *err)
{
	_cleanup_stmt_ sqlite3_stmt *st = NULL;
	int r = prepare(s, "INSERT OR REPLACE INTO restarts (task_arn, container, count,"
			" last_restart_at, owed_after_monitor) VALUES (?, ?, ?, ?, ?)", &st, err);
	if (r < 0)
		return r;
	sqlite3_bind_text(st, 1, task_arn, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, container, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 3, rec->count);
	sqlite3_bind_double(st, 4, rec->last_restart_at);
	sqlite3_bind_int64(st, 5, rec->owed_after_monitor);
	if (sqlite3_step(st) != SQLITE_DONE)
		return db_error(s, err, "store restart");
	return 0;
}

int store_restart_set(struct store *s, const char *task_arn, const char *container,
		      const struct store_restart *rec, struct error *err)
{
	int r = write_begin(s, err);
	if (r < 0)
		return r;
	return write_end(s, restart_set_locked(s, task_arn, container, rec, err), err);
}

int store_restart_get(struct store *s, const char *task_arn, const char *container,
		      struct store_restart *ret, struct error *err)
{
	_cleanup_stmt_ sqlite3_stmt *st = NULL;
	int r = prepare(s, "SELECT count, last_restart_at, owed_after_monitor FROM restarts"
			" WHERE task_arn = ? AND container = ?", &st, err);
	if (r < 0)
		return r;
	sqlite3_bind_text(st, 1, task_arn, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, container, -1, SQLITE_STATIC);
	r = sqlite3_step(st);
	if (r == SQLITE_DONE)
		return 0;
	if (r != SQLITE_ROW)
		return db_error(s, err, "read restarts");
	sqlite3_int64 count = sqlite3_column_int64(st, 0);
	*ret = (struct store_restart){
		.count = count < 0 ? 0 : count > UINT32_MAX ? UINT32_MAX : (uint32_t)count,
		.last_restart_at = sqlite3_column_double(st, 1),
		.owed_after_monitor = sqlite3_column_int64(st, 2),
	};
	return 1;
}
