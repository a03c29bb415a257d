/* A database file checked before it is used: a damaged page in the middle of a SQLite file
 * does not stop it from opening, only the first query that reads that page fails, maybe
 * hours later and in the middle of a transaction. PRAGMA quick_check reads every page once
 * (milliseconds for the databases tether keeps) and names the first problem. */
#pragma once

#include <sqlite3.h>

#include "common/error.h"

/* 0 when db reads as sound; -EUCLEAN with "the database is damaged (what SQLite found).
 * ADVICE" when it does not; -EIO with "the database cannot be read (why)" when SQLite could
 * not look (a lock held, no room or no right for its -shm file): that is not damage. */
int sqlite_check_sound(sqlite3 *db, const char *advice, struct error *err);
