/* Node identity: an Ed25519 key pair made at registration. The hub keeps only the public key
 * and, on every connection, sends a fresh nonce that the agent signs. Nothing here depends on
 * the clock (edge clocks are wrong). Keys and signatures travel as standard base64. */
#pragma once

#include <stddef.h>

#include <openssl/evp.h>

#include "common/error.h"

#define AUTH_NONCE_BYTES 32
#define AUTH_NONCE_HEX_LEN (AUTH_NONCE_BYTES * 2)

/* A fresh random nonce as lowercase hex (buf holds AUTH_NONCE_HEX_LEN + 1). */
int auth_new_nonce(char buf[AUTH_NONCE_HEX_LEN + 1]);

/* The exact bytes signed: "tether-connect-v1\n" NONCE "\n" NODE_ID. Caller frees. */
char *auth_signed_message(const char *nonce_hex, const char *node_id);

/* Generate a key pair; the private key PEM (PKCS#8) and the public key (base64 of the 32 raw
 * bytes) are returned, caller frees both. */
int auth_generate_key(char **ret_private_pem, char **ret_public_b64, struct error *err);

/* Load a private key from PEM text. */
int auth_load_private_key(const char *pem, EVP_PKEY **ret, struct error *err);

/* Sign the connect message for nonce and node id; base64 signature returned, caller frees. */
int auth_sign(EVP_PKEY *key, const char *nonce_hex, const char *node_id, char **ret_sig_b64,
	      struct error *err);

/* 0 when sig_b64 is a valid signature by public_b64 over the connect message, else -EPERM
 * (or -EINVAL for malformed input), with the reason in err. */
int auth_verify(const char *public_b64, const char *nonce_hex, const char *node_id,
		const char *sig_b64, struct error *err);

/* Constant-time comparison for secrets (activation codes). */
int auth_secret_equal(const char *a, const char *b);
