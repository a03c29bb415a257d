/* Prepared statements kept for reuse, by hub and agent alike. Both run the same few dozen
 * statements over and over; preparing one costs more than running it (parsing, planning), so
 * each SQL text is prepared once and handed out again after a reset. A statement still in use
 * when the same SQL is asked for again (a nested use) gets a fresh one, finalized on release. */
#pragma once

#include <sqlite3.h>

#include "common/cleanup.h"

struct stmt_cache;

/* A cache for db's statements; NULL when out of memory. */
struct stmt_cache *stmt_cache_new(sqlite3 *db);
/* A statement for sql, NULL when it cannot be prepared (sqlite3_errmsg says why). */
sqlite3_stmt *stmt_cache_get(struct stmt_cache *c, const char *sql);
/* Finalize every cached statement; NULL is fine. */
void stmt_cache_free(struct stmt_cache *c);

/* Hand a statement back to the cache of its database (reset, bindings cleared), or finalize
 * it when it came from none; NULL is fine. Caches are used from one thread. */
void stmt_release(sqlite3_stmt *st);

static inline void stmt_releasep(sqlite3_stmt **st)
{
	stmt_release(*st);
}
/* A statement from stmt_cache_get, released when it goes out of scope. */
#define _cleanup_stmt_ _cleanup_(stmt_releasep)
