/* Sealing the operator access keys' secrets. SigV4 needs the secret itself, so it cannot be
 * stored as a hash; it is stored encrypted (AES-256-GCM) under a sealing key kept in its own
 * file beside the database (DB.sealing-key, mode 0600), so that the database alone — a copy,
 * a backup — reveals no secret. */
#pragma once

#include <stdbool.h>
#include <stddef.h>

#include "common/error.h"

#define SEAL_KEY_BYTES 32

/* DB.sealing-key; caller frees. */
char *seal_key_path(const char *db_path);

/* Read the sealing key at path, or make it (random, 0600) when there is none yet; two
 * processes making it at once agree on one. A key file others may read is refused. */
int seal_key_load(const char *path, unsigned char key[SEAL_KEY_BYTES], struct error *err);

/* Encrypt plain; the context (the row's id) is authenticated with it, so a sealed value
 * moved to another row does not open. *ret (caller frees) is version, nonce, ciphertext,
 * tag. */
int seal(const unsigned char key[SEAL_KEY_BYTES], const char *context, const char *plain,
	 unsigned char **ret, size_t *ret_size);
/* The other way: -EBADMSG when it was not sealed by this key for this context. *ret is a
 * NUL-terminated string; free it with seal_free_plain, which wipes it first. */
int unseal(const unsigned char key[SEAL_KEY_BYTES], const char *context,
	   const unsigned char *sealed, size_t size, char **ret);
void seal_free_plain(char *plain);
