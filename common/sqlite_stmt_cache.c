#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "common/sqlite_stmt_cache.h"

/* More than the hub's distinct statements; beyond it statements are prepared each time. */
#define STMT_CACHE_MAX 128

struct stmt_entry {
	uint64_t hash;
	sqlite3_stmt *st;
	bool in_use;
};

struct stmt_cache {
	sqlite3 *db;
	struct stmt_cache *next; /* every cache, to find a statement's own from the statement */
	size_t n;
	struct stmt_entry entries[STMT_CACHE_MAX];
	/* statements handed out fresh because their entry was in use or the cache full */
	size_t n_loose;
	sqlite3_stmt *loose[STMT_CACHE_MAX];
};

static uint64_t fnv1a(const char *s)
{
	uint64_t h = 1469598103934665603ULL;
	for (; *s; s++)
		h = (h ^ (unsigned char)*s) * 1099511628211ULL;
	return h;
}

static struct stmt_cache *caches;

struct stmt_cache *stmt_cache_new(sqlite3 *db)
{
	struct stmt_cache *c = calloc(1, sizeof(*c));
	if (!c)
		return NULL;
	c->db = db;
	c->next = caches;
	caches = c;
	return c;
}

static sqlite3_stmt *prepare(struct stmt_cache *c, const char *sql)
{
	sqlite3_stmt *st = NULL;
	if (sqlite3_prepare_v3(c->db, sql, -1, SQLITE_PREPARE_PERSISTENT, &st, NULL) != SQLITE_OK) {
		sqlite3_finalize(st);
		return NULL;
	}
	return st;
}

sqlite3_stmt *stmt_cache_get(struct stmt_cache *c, const char *sql)
{
	uint64_t h = fnv1a(sql);
	bool busy = false;
	for (size_t i = 0; i < c->n; i++) {
		struct stmt_entry *e = &c->entries[i];
		if (e->hash != h || strcmp(sqlite3_sql(e->st), sql) != 0)
			continue;
		if (e->in_use) {
			busy = true;
			break;
		}
		e->in_use = true;
		return e->st;
	}
	sqlite3_stmt *st = prepare(c, sql);
	if (!st)
		return NULL;
	if (!busy && c->n < STMT_CACHE_MAX) {
		c->entries[c->n++] = (struct stmt_entry){ .hash = h, .st = st, .in_use = true };
	} else if (c->n_loose < STMT_CACHE_MAX) {
		c->loose[c->n_loose++] = st;
	} else {
		/* Too many nested uses to track: this one would leak on put. */
		sqlite3_finalize(st);
		return NULL;
	}
	return st;
}

static int put(struct stmt_cache *c, sqlite3_stmt *st)
{
	for (size_t i = 0; i < c->n; i++)
		if (c->entries[i].st == st) {
			sqlite3_reset(st);
			sqlite3_clear_bindings(st);
			c->entries[i].in_use = false;
			return 0;
		}
	for (size_t i = 0; i < c->n_loose; i++)
		if (c->loose[i] == st) {
			sqlite3_finalize(st);
			c->loose[i] = c->loose[--c->n_loose];
			return 0;
		}
	return -1;
}

void stmt_release(sqlite3_stmt *st)
{
	if (!st)
		return;
	sqlite3 *db = sqlite3_db_handle(st);
	for (struct stmt_cache *c = caches; c; c = c->next)
		if (c->db == db && put(c, st) == 0)
			return;
	sqlite3_finalize(st);
}

void stmt_cache_free(struct stmt_cache *c)
{
	if (!c)
		return;
	for (struct stmt_cache **p = &caches; *p; p = &(*p)->next)
		if (*p == c) {
			*p = c->next;
			break;
		}
	for (size_t i = 0; i < c->n; i++)
		sqlite3_finalize(c->entries[i].st);
	for (size_t i = 0; i < c->n_loose; i++)
		sqlite3_finalize(c->loose[i]);
	free(c);
}
