#include "protocol/auth.h"

#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>
#include <openssl/pem.h>
#include <openssl/rand.h>
#include <openssl/sha.h>

#include "common/base64.h"
#include "common/cleanup.h"

#define ED25519_KEY_BYTES 32
#define ED25519_SIG_BYTES 64

static void evp_pkey_freep(EVP_PKEY **k)
{
	EVP_PKEY_free(*k);
}

static void evp_md_ctx_freep(EVP_MD_CTX **c)
{
	EVP_MD_CTX_free(*c);
}

static void bio_freep(BIO **b)
{
	BIO_free(*b);
}

int auth_new_nonce(char buf[AUTH_NONCE_HEX_LEN + 1])
{
	unsigned char raw[AUTH_NONCE_BYTES];
	if (RAND_bytes(raw, sizeof(raw)) != 1)
		return -EIO;
	for (size_t i = 0; i < sizeof(raw); i++)
		snprintf(buf + 2 * i, 3, "%02x", raw[i]);
	return 0;
}

char *auth_signed_message(const char *nonce_hex, const char *node_id)
{
	char *msg = NULL;
	if (asprintf(&msg, "tether-connect-v1\n%s\n%s", nonce_hex, node_id) < 0)
		return NULL;
	return msg;
}

int auth_generate_key(char **ret_private_pem, char **ret_public_b64, struct error *err)
{
	_cleanup_(evp_pkey_freep) EVP_PKEY *key = EVP_PKEY_Q_keygen(NULL, NULL, "ED25519");
	if (!key)
		return error_set(err, EIO, "generate Ed25519 key");
	unsigned char pub[ED25519_KEY_BYTES];
	size_t pub_len = sizeof(pub);
	if (EVP_PKEY_get_raw_public_key(key, pub, &pub_len) != 1 || pub_len != sizeof(pub))
		return error_set(err, EIO, "read Ed25519 public key");
	_cleanup_(bio_freep) BIO *bio = BIO_new(BIO_s_mem());
	if (!bio || PEM_write_bio_PrivateKey(bio, key, NULL, NULL, 0, NULL, NULL) != 1)
		return error_set(err, EIO, "write private key as PEM");
	char *pem_data = NULL;
	long pem_len = BIO_get_mem_data(bio, &pem_data);
	if (pem_len <= 0)
		return error_set(err, EIO, "write private key as PEM");
	_cleanup_free_ char *pem = strndup(pem_data, (size_t)pem_len);
	_cleanup_free_ char *pub_b64 = base64_encode(pub, sizeof(pub));
	OPENSSL_cleanse(pem_data, (size_t)pem_len);
	if (!pem || !pub_b64)
		return error_set(err, ENOMEM, "out of memory");
	*ret_private_pem = TAKE_PTR(pem);
	*ret_public_b64 = TAKE_PTR(pub_b64);
	return 0;
}

/* An encrypted key is refused instead of asking for a passphrase on the terminal. */
static int no_passphrase(char *buf, int size, int rwflag, void *userdata)
{
	(void)buf, (void)size, (void)rwflag, (void)userdata;
	return -1;
}

int auth_load_private_key(const char *pem, EVP_PKEY **ret, struct error *err)
{
	_cleanup_(bio_freep) BIO *bio = BIO_new_mem_buf(pem, -1);
	if (!bio)
		return error_set(err, ENOMEM, "out of memory");
	EVP_PKEY *key = PEM_read_bio_PrivateKey(bio, NULL, no_passphrase, NULL);
	if (!key)
		return error_set(err, EINVAL, "private key is not a PEM key");
	if (EVP_PKEY_get_base_id(key) != EVP_PKEY_ED25519) {
		EVP_PKEY_free(key);
		return error_set(err, EINVAL, "private key is not an Ed25519 key");
	}
	*ret = key;
	return 0;
}

int auth_sign(EVP_PKEY *key, const char *nonce_hex, const char *node_id, char **ret_sig_b64,
	      struct error *err)
{
	_cleanup_free_ char *msg = auth_signed_message(nonce_hex, node_id);
	_cleanup_(evp_md_ctx_freep) EVP_MD_CTX *ctx = EVP_MD_CTX_new();
	if (!msg || !ctx)
		return error_set(err, ENOMEM, "out of memory");
	unsigned char sig[ED25519_SIG_BYTES];
	size_t sig_len = sizeof(sig);
	if (EVP_DigestSignInit(ctx, NULL, NULL, NULL, key) != 1 ||
	    EVP_DigestSign(ctx, sig, &sig_len, (const unsigned char *)msg, strlen(msg)) != 1)
		return error_set(err, EIO, "sign connect challenge");
	char *b64 = base64_encode(sig, sig_len);
	if (!b64)
		return error_set(err, ENOMEM, "out of memory");
	*ret_sig_b64 = b64;
	return 0;
}

static bool nonce_is_valid(const char *nonce_hex)
{
	return strlen(nonce_hex) == AUTH_NONCE_HEX_LEN &&
	       strspn(nonce_hex, "0123456789abcdef") == AUTH_NONCE_HEX_LEN;
}

int auth_verify(const char *public_b64, const char *nonce_hex, const char *node_id,
		const char *sig_b64, struct error *err)
{
	if (!nonce_is_valid(nonce_hex))
		return error_set(err, EINVAL, "nonce is not %d lowercase hex digits",
				 AUTH_NONCE_HEX_LEN);
	if (!node_id[0] || strchr(node_id, '\n'))
		return error_set(err, EINVAL, "node id is empty or holds a line break");
	_cleanup_free_ unsigned char *pub = NULL, *sig = NULL;
	size_t pub_len = 0, sig_len = 0;
	if (base64_decode(public_b64, &pub, &pub_len) < 0 || pub_len != ED25519_KEY_BYTES)
		return error_set(err, EINVAL, "public key is not 32 bytes of base64");
	if (base64_decode(sig_b64, &sig, &sig_len) < 0 || sig_len != ED25519_SIG_BYTES)
		return error_set(err, EINVAL, "signature is not 64 bytes of base64");
	_cleanup_(evp_pkey_freep) EVP_PKEY *key =
		EVP_PKEY_new_raw_public_key(EVP_PKEY_ED25519, NULL, pub, pub_len);
	_cleanup_free_ char *msg = auth_signed_message(nonce_hex, node_id);
	_cleanup_(evp_md_ctx_freep) EVP_MD_CTX *ctx = EVP_MD_CTX_new();
	if (!key)
		return error_set(err, EINVAL, "public key is not a valid Ed25519 key");
	if (!msg || !ctx)
		return error_set(err, ENOMEM, "out of memory");
	if (EVP_DigestVerifyInit(ctx, NULL, NULL, NULL, key) != 1 ||
	    EVP_DigestVerify(ctx, sig, sig_len, (const unsigned char *)msg, strlen(msg)) != 1)
		return error_set(err, EPERM, "signature does not match the node's key");
	return 0;
}

int auth_secret_equal(const char *a, const char *b)
{
	/* Comparing digests takes the same time whatever the lengths and contents; the lengths
	 * are compared too, so a digest collision alone would not do. */
	unsigned char da[SHA256_DIGEST_LENGTH], db[SHA256_DIGEST_LENGTH];
	size_t la = strlen(a), lb = strlen(b);
	if (!EVP_Digest(a, la, da, NULL, EVP_sha256(), NULL) ||
	    !EVP_Digest(b, lb, db, NULL, EVP_sha256(), NULL))
		return 0;
	int same = CRYPTO_memcmp(da, db, sizeof(da)) == 0;
	return same & (la == lb);
}
