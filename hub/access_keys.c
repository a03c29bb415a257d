#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <openssl/crypto.h>
#include <openssl/rand.h>

#include "common/base64.h"
#include "common/cleanup.h"
#include "hub/access_keys.h"

static const char schema[] =
	"CREATE TABLE IF NOT EXISTS access_keys(id TEXT PRIMARY KEY, sealed_secret BLOB NOT NULL,"
	" status TEXT NOT NULL DEFAULT 'Active', created_at REAL NOT NULL);";

static void finalizep(sqlite3_stmt **st)
{
	sqlite3_finalize(*st);
}
#define _cleanup_finalize_ __attribute__((cleanup(finalizep)))

static int sql_fail(struct access_keys *k, struct error *err, const char *what)
{
	return error_set(err, EIO, "%s: %s", what, sqlite3_errmsg(k->db));
}

static sqlite3_stmt *prepare(struct access_keys *k, const char *sql, struct error *err)
{
	sqlite3_stmt *st = NULL;
	if (sqlite3_prepare_v2(k->db, sql, -1, &st, NULL) != SQLITE_OK) {
		sql_fail(k, err, "prepare");
		return NULL;
	}
	return st;
}

static int start(struct access_keys *k, const char *db_path, struct error *err)
{
	char *msg = NULL;
	if (sqlite3_exec(k->db, schema, NULL, NULL, &msg) != SQLITE_OK) {
		int r = error_set(err, EIO, "database %s: %s", db_path, msg ? msg : "no table");
		sqlite3_free(msg);
		return r;
	}
	_cleanup_free_ char *path = seal_key_path(db_path);
	if (!path)
		return error_set(err, ENOMEM, "out of memory");
	return seal_key_load(path, k->seal_key, err);
}

int access_keys_open(const char *db_path, struct access_keys **ret, struct error *err)
{
	struct access_keys *k = calloc(1, sizeof(*k));
	if (!k)
		return error_set(err, ENOMEM, "out of memory");
	k->own_db = true;
	int flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_FULLMUTEX;
	int r = sqlite3_open_v2(db_path, &k->db, flags, NULL) != SQLITE_OK
			? error_set(err, EIO, "open database %s: %s", db_path,
				    k->db ? sqlite3_errmsg(k->db) : "out of memory")
			: 0;
	/* A hub may be writing: wait for its short transactions rather than fail. */
	if (r == 0) {
		sqlite3_busy_timeout(k->db, 5000);
		if (sqlite3_exec(k->db, "PRAGMA journal_mode=WAL", NULL, NULL, NULL) != SQLITE_OK)
			r = sql_fail(k, err, db_path);
	}
	if (r == 0)
		r = start(k, db_path, err);
	if (r < 0) {
		access_keys_close(k);
		return r;
	}
	*ret = k;
	return 0;
}

int access_keys_attach(sqlite3 *db, const char *db_path, struct access_keys **ret,
		       struct error *err)
{
	struct access_keys *k = calloc(1, sizeof(*k));
	if (!k)
		return error_set(err, ENOMEM, "out of memory");
	k->db = db;
	int r = start(k, db_path, err);
	if (r < 0) {
		access_keys_close(k);
		return r;
	}
	*ret = k;
	return 0;
}

void access_keys_close(struct access_keys *k)
{
	if (!k)
		return;
	if (k->own_db)
		sqlite3_close(k->db);
	OPENSSL_cleanse(k->seal_key, sizeof(k->seal_key));
	free(k);
}

/* 16 characters of A-Z and 2-7 (base32's), as AWS's ids look. */
static int new_key_id(char id[ACCESS_KEY_ID_LEN + 1])
{
	static const char alphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
	unsigned char raw[16];
	if (RAND_bytes(raw, sizeof(raw)) != 1)
		return -EIO;
	memcpy(id, "AKIA", 4);
	for (int i = 0; i < 16; i++)
		id[4 + i] = alphabet[raw[i] & 31];
	id[ACCESS_KEY_ID_LEN] = '\0';
	return 0;
}

static int new_secret(char secret[ACCESS_KEY_SECRET_LEN + 1])
{
	unsigned char raw[30];
	if (RAND_bytes(raw, sizeof(raw)) != 1)
		return -EIO;
	char *b64 = base64_encode(raw, sizeof(raw));
	OPENSSL_cleanse(raw, sizeof(raw));
	if (!b64 || strlen(b64) != ACCESS_KEY_SECRET_LEN) {
		free(b64);
		return -ENOMEM;
	}
	memcpy(secret, b64, ACCESS_KEY_SECRET_LEN + 1);
	seal_free_plain(b64);
	return 0;
}

static double wall_now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	return (double)ts.tv_sec;
}

int access_key_create(struct access_keys *k, char ret_id[ACCESS_KEY_ID_LEN + 1],
		      char ret_secret[ACCESS_KEY_SECRET_LEN + 1], double *ret_created,
		      struct error *err)
{
	char id[ACCESS_KEY_ID_LEN + 1], secret[ACCESS_KEY_SECRET_LEN + 1];
	if (new_key_id(id) < 0 || new_secret(secret) < 0)
		return error_set(err, EIO, "no randomness for a key");
	_cleanup_free_ unsigned char *sealed = NULL;
	size_t size = 0;
	int r = seal(k->seal_key, id, secret, &sealed, &size);
	if (r < 0) {
		OPENSSL_cleanse(secret, sizeof(secret));
		return error_set(err, r, "sealing the secret failed");
	}
	double now = wall_now();
	_cleanup_finalize_ sqlite3_stmt *st = prepare(
		k, "INSERT INTO access_keys(id, sealed_secret, created_at) VALUES(?, ?, ?)", err);
	if (!st) {
		OPENSSL_cleanse(secret, sizeof(secret));
		return -EIO;
	}
	sqlite3_bind_text(st, 1, id, -1, SQLITE_STATIC);
	sqlite3_bind_blob(st, 2, sealed, (int)size, SQLITE_STATIC);
	sqlite3_bind_double(st, 3, now);
	if (sqlite3_step(st) != SQLITE_DONE) {
		OPENSSL_cleanse(secret, sizeof(secret));
		return sql_fail(k, err, "store the key");
	}
	memcpy(ret_id, id, sizeof(id));
	memcpy(ret_secret, secret, sizeof(secret));
	OPENSSL_cleanse(secret, sizeof(secret));
	*ret_created = now;
	return 0;
}

int access_key_delete(struct access_keys *k, const char *id, struct error *err)
{
	_cleanup_finalize_ sqlite3_stmt *st =
		prepare(k, "DELETE FROM access_keys WHERE id = ?", err);
	if (!st)
		return -EIO;
	sqlite3_bind_text(st, 1, id, -1, SQLITE_STATIC);
	if (sqlite3_step(st) != SQLITE_DONE)
		return sql_fail(k, err, "delete the key");
	if (sqlite3_changes(k->db) == 0)
		return error_set(err, ENOENT, "no access key %s", id);
	return 0;
}

void access_key_format_date(double t, char ret[32])
{
	time_t secs = (time_t)t;
	struct tm tm;
	if (!gmtime_r(&secs, &tm) || !strftime(ret, 32, "%Y-%m-%dT%H:%M:%S+00:00", &tm))
		snprintf(ret, 32, "1970-01-01T00:00:00+00:00");
}

int access_key_list(struct access_keys *k, cJSON **ret, struct error *err)
{
	_cleanup_finalize_ sqlite3_stmt *st = prepare(
		k, "SELECT id, status, created_at FROM access_keys ORDER BY created_at, id", err);
	if (!st)
		return -EIO;
	cJSON *o = cJSON_CreateObject(), *list = cJSON_AddArrayToObject(o, "AccessKeyMetadata");
	int rc;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		cJSON *key = cJSON_CreateObject();
		char date[32];
		access_key_format_date(sqlite3_column_double(st, 2), date);
		cJSON_AddStringToObject(key, "AccessKeyId", (const char *)sqlite3_column_text(st, 0));
		cJSON_AddStringToObject(key, "Status", (const char *)sqlite3_column_text(st, 1));
		cJSON_AddStringToObject(key, "CreateDate", date);
		cJSON_AddItemToArray(list, key);
	}
	if (rc != SQLITE_DONE) {
		cJSON_Delete(o);
		return sql_fail(k, err, "list the keys");
	}
	*ret = o;
	return 0;
}

int access_key_secret(struct access_keys *k, const char *id, char **ret, struct error *err)
{
	_cleanup_finalize_ sqlite3_stmt *st = prepare(
		k, "SELECT sealed_secret FROM access_keys WHERE id = ? AND status = 'Active'", err);
	if (!st)
		return -EIO;
	sqlite3_bind_text(st, 1, id, -1, SQLITE_STATIC);
	int rc = sqlite3_step(st);
	if (rc == SQLITE_DONE)
		return error_set(err, ENOENT, "no access key %s", id);
	if (rc != SQLITE_ROW)
		return sql_fail(k, err, "read the key");
	int r = unseal(k->seal_key, id, sqlite3_column_blob(st, 0),
		       (size_t)sqlite3_column_bytes(st, 0), ret);
	return r < 0 ? error_set(err, r, "the secret of %s does not open with this sealing key",
				 id) : 0;
}
