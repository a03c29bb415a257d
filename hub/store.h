/* The hub's state in SQLite: clusters, activations, nodes, task definitions, tasks, their
 * containers, and the per-node queue of reliable frames not yet acknowledged. WAL mode, short
 * transactions; everything survives a restart. */
#pragma once

#include <stdbool.h>
#include <stdint.h>

#include <sqlite3.h>

#include "common/error.h"

struct hub_store {
	sqlite3 *db;
	/* Told after a reliable frame is queued for a node (hub/outbox.c), so that the server wakes
	 * that node's link alone rather than every link; NULL when nobody listens. */
	void (*on_frame_queued)(void *userdata, const char *node_id);
	void *on_frame_queued_userdata;
};

/* Open (creating the schema when new) the database at path; ":memory:" works for tests. */
int hub_store_open(const char *path, struct hub_store **ret, struct error *err);
void hub_store_close(struct hub_store *s);

int hub_store_begin(struct hub_store *s, struct error *err);
int hub_store_commit(struct hub_store *s, struct error *err);
void hub_store_rollback(struct hub_store *s);

/* Prepare a statement; NULL with err filled on failure. */
sqlite3_stmt *hub_store_prepare(struct hub_store *s, const char *sql, struct error *err);

/* Run one statement whose parameters are all text (NULL allowed), n of them. */
int hub_store_exec_text(struct hub_store *s, const char *sql, struct error *err, int n, ...);

/* Step a statement that returns no rows and finalize it. */
int hub_store_step_done(struct hub_store *s, sqlite3_stmt *st, struct error *err);

/* Current wall clock in seconds, as the hub records times. */
double hub_now(void);

static inline void sqlite3_finalizep(sqlite3_stmt **st)
{
	sqlite3_finalize(*st);
}
#define _cleanup_stmt_ __attribute__((cleanup(sqlite3_finalizep)))

/* Text of a column as a const pointer valid until the next step ("" for NULL). */
static inline const char *col_text(sqlite3_stmt *st, int i)
{
	const unsigned char *t = sqlite3_column_text(st, i);
	return t ? (const char *)t : "";
}
