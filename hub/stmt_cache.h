/* Prepared statements kept for reuse. The hub runs the same few dozen statements for every
 * agent and every API call; preparing one costs more than running it (parsing, planning), so
 * each SQL text is prepared once and handed out again after a reset. A statement still in use
 * when the same SQL is asked for again (a nested use) gets a fresh one, finalized on return. */
#pragma once

#include <sqlite3.h>

struct stmt_cache;

struct stmt_cache *stmt_cache_new(sqlite3 *db);
/* A statement for sql, NULL when it cannot be prepared (sqlite3_errmsg says why). */
sqlite3_stmt *stmt_cache_get(struct stmt_cache *c, const char *sql);
/* Hand a statement back: a cached one is reset with its bindings cleared, any other is
 * finalized. Returns 0, or -1 when st did not come from this cache (left alone). */
int stmt_cache_put(struct stmt_cache *c, sqlite3_stmt *st);
/* Finalize every cached statement; NULL is fine. */
void stmt_cache_free(struct stmt_cache *c);
