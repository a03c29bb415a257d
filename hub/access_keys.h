/* The operator API's access keys: an id and a secret, as `aws iam create-access-key` gives,
 * for SigV4. The secret is stored sealed (hub/seal.h) in the table access_keys of the hub's
 * database; `tether-hub keys` edits it in short transactions whether or not a hub runs on
 * that database, and the hub reads it per request, so a deleted key is refused at once. */
#pragma once

#include <sqlite3.h>
#include <stdbool.h>

#include <cjson/cJSON.h>

#include "common/error.h"
#include "hub/seal.h"

#define ACCESS_KEY_ID_LEN 20     /* "AKIA" and 16 letters and digits, as AWS's */
#define ACCESS_KEY_SECRET_LEN 40 /* base64 of 30 random bytes */

struct access_keys {
	sqlite3 *db;
	bool own_db; /* opened here (the keys command), not the hub store's */
	unsigned char seal_key[SEAL_KEY_BYTES];
};

/* Open db_path for the keys command, with its own connection. */
int access_keys_open(const char *db_path, struct access_keys **ret, struct error *err);
/* The hub's: keys read through its store's connection db, db_path locating the sealing key. */
int access_keys_attach(sqlite3 *db, const char *db_path, struct access_keys **ret,
		       struct error *err);
void access_keys_close(struct access_keys *k);

int access_key_create(struct access_keys *k, char ret_id[ACCESS_KEY_ID_LEN + 1],
		      char ret_secret[ACCESS_KEY_SECRET_LEN + 1], double *ret_created,
		      struct error *err);
/* -ENOENT when there is no such key. */
int access_key_delete(struct access_keys *k, const char *id, struct error *err);
/* {"AccessKeyMetadata": [{"AccessKeyId", "Status", "CreateDate"}...]}, no secrets. */
int access_key_list(struct access_keys *k, cJSON **ret, struct error *err);
/* The secret of an active key, for checking a signature (free with seal_free_plain); -ENOENT
 * when there is no such key. */
int access_key_secret(struct access_keys *k, const char *id, char **ret, struct error *err);

/* "2024-01-02T03:04:05+00:00", as the aws CLI shows CreateDate. */
void access_key_format_date(double t, char ret[32]);
