/* The hub's state in SQLite: clusters, activations, nodes, task definitions, tasks, their
 * containers, and the per-node queue of reliable frames not yet acknowledged. WAL mode, short
 * transactions; everything survives a restart. */
#pragma once

#include <stdbool.h>
#include <stdint.h>

#include <sqlite3.h>

#include "common/error.h"
#include "common/sqlite_stmt_cache.h"

struct hub_store {
	sqlite3 *db;
	struct stmt_cache *stmts; /* prepared statements for reuse */
	/* Told once a transaction that queued reliable frames for a node has committed (never
	 * from inside it, and not at all when it rolled back), so that the server wakes that
	 * node's link alone rather than every link; NULL when nobody listens. */
	void (*on_frame_queued)(void *userdata, const char *node_id);
	void *on_frame_queued_userdata;
	char **wake_pending; /* nodes to tell about at the next commit */
	size_t n_wake_pending, wake_pending_size;
	int depth; /* transactions begun and not ended: the outer one and savepoints in it */
};

/* The time now in SQL, in seconds since the epoch as hub_now() gives it. */
#define SQL_NOW "((julianday('now') - 2440587.5) * 86400.0)"

/* Open (creating the schema when new) the database at path; ":memory:" works for tests. */
int hub_store_open(const char *path, struct hub_store **ret, struct error *err);
void hub_store_close(struct hub_store *s);

/* Inside a transaction, begin opens a savepoint that commit releases and rollback undoes
 * alone; the outermost commit or rollback ends the whole. */
int hub_store_begin(struct hub_store *s, struct error *err);
/* Commits, then tells on_frame_queued of the nodes the transaction queued frames for. */
int hub_store_commit(struct hub_store *s, struct error *err);
void hub_store_rollback(struct hub_store *s);
/* Note that node_id has new frames: told after the commit, or at once outside a transaction. */
int hub_store_wake_after_commit(struct hub_store *s, const char *node_id, struct error *err);

/* A prepared statement for sql, from the store's cache when it is there; NULL with err filled
 * on failure. Give it back with stmt_release (or _cleanup_stmt_, or
 * hub_store_step_done), never sqlite3_finalize. */
sqlite3_stmt *hub_store_prepare(struct hub_store *s, const char *sql, struct error *err);

/* Run one statement whose parameters are all text (NULL allowed), n of them. */
int hub_store_exec_text(struct hub_store *s, const char *sql, struct error *err, int n, ...);

/* Step a statement that returns no rows and release it. */
int hub_store_step_done(struct hub_store *s, sqlite3_stmt *st, struct error *err);

/* The SQL that records in nodes.link_changed_at that the node's link came up or went down
 * now (seconds since the epoch): describe-tasks shows it as connectivityAt. */
#define HUB_STORE_LINK_CHANGED_NOW "link_changed_at = (julianday('now') - 2440587.5) * 86400.0"

/* Current wall clock in seconds, as the hub records times. */
double hub_now(void);


/* Text of a column as a const pointer valid until the next step ("" for NULL). */
static inline const char *col_text(sqlite3_stmt *st, int i)
{
	const unsigned char *t = sqlite3_column_text(st, i);
	return t ? (const char *)t : "";
}
