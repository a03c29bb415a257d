#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "common/sqlite_check.h"

int sqlite_check_sound(sqlite3 *db, const char *advice, struct error *err)
{
	sqlite3_stmt *st = NULL;
	int rc = sqlite3_prepare_v2(db, "PRAGMA quick_check(1)", -1, &st, NULL);
	if (rc == SQLITE_OK)
		rc = sqlite3_step(st);
	const char *found = rc == SQLITE_ROW ? (const char *)sqlite3_column_text(st, 0) : NULL;
	int r = 0;
	int primary = sqlite3_errcode(db) & 0xff;
	if (rc != SQLITE_ROW && primary != SQLITE_CORRUPT && primary != SQLITE_NOTADB) {
		/* Not the file's contents: a lock, a read-only folder for the -shm file, memory. */
		r = error_set(err, EIO, "the database cannot be read (%s)", sqlite3_errmsg(db));
	} else if (rc != SQLITE_ROW || !found || strcmp(found, "ok") != 0) {
		/* SQLite's report spans lines; a log line does not. */
		char what[256];
		snprintf(what, sizeof(what), "%s", found ? found : sqlite3_errmsg(db));
		for (char *p = what; *p; p++)
			if (*p == '\n')
				*p = ' ';
		r = error_set(err, EUCLEAN, "the database is damaged (%s). %s", what, advice);
	}
	sqlite3_finalize(st);
	return r;
}
