#include <stdlib.h>
#include <string.h>

#include "common/cleanup.h"
#include <openssl/pem.h>

#include "protocol/auth.h"
#include "tests/unit/test.h"

static void evp_pkey_freep(EVP_PKEY **k)
{
	EVP_PKEY_free(*k);
}

#define NODE "mi-0123456789abcdef0"

struct identity {
	char *pem;
	char *pub;
	EVP_PKEY *key;
};

static void identity_release(struct identity *id)
{
	free(id->pem);
	free(id->pub);
	EVP_PKEY_free(id->key);
}

static int identity_new(struct identity *id)
{
	struct error err = { 0 };
	*id = (struct identity){ 0 };
	if (auth_generate_key(&id->pem, &id->pub, &err) < 0)
		return -1;
	return auth_load_private_key(id->pem, &id->key, &err);
}

TEST(auth_nonce_is_fresh_lowercase_hex)
{
	char a[AUTH_NONCE_HEX_LEN + 1], b[AUTH_NONCE_HEX_LEN + 1];
	ASSERT_INT_EQ(auth_new_nonce(a), 0);
	ASSERT_INT_EQ(auth_new_nonce(b), 0);
	ASSERT_INT_EQ(strlen(a), 64);
	ASSERT_INT_EQ(strspn(a, "0123456789abcdef"), 64);
	ASSERT_TRUE(strcmp(a, b) != 0);
}

TEST(auth_signed_message_layout)
{
	_cleanup_free_ char *m = auth_signed_message("ab", "mi-1");
	ASSERT_STR_EQ(m, "tether-connect-v1\nab\nmi-1");
}

TEST(auth_key_formats)
{
	struct identity id;
	ASSERT_INT_EQ(identity_new(&id), 0);
	ASSERT_CONTAINS(id.pem, "-----BEGIN PRIVATE KEY-----");
	ASSERT_INT_EQ(strlen(id.pub), 44); /* base64 of 32 bytes */
	identity_release(&id);
}

TEST(auth_sign_verify)
{
	struct identity id;
	ASSERT_INT_EQ(identity_new(&id), 0);
	char nonce[AUTH_NONCE_HEX_LEN + 1];
	ASSERT_INT_EQ(auth_new_nonce(nonce), 0);
	_cleanup_free_ char *sig = NULL;
	struct error err = { 0 };
	ASSERT_INT_EQ(auth_sign(id.key, nonce, NODE, &sig, &err), 0);
	ASSERT_INT_EQ(strlen(sig), 88); /* base64 of 64 bytes */
	ASSERT_INT_EQ(auth_verify(id.pub, nonce, NODE, sig, &err), 0);
	identity_release(&id);
}

TEST(auth_refuses_other_key_tampered_nonce_and_node)
{
	struct identity id, other;
	ASSERT_INT_EQ(identity_new(&id), 0);
	ASSERT_INT_EQ(identity_new(&other), 0);
	char nonce[AUTH_NONCE_HEX_LEN + 1];
	ASSERT_INT_EQ(auth_new_nonce(nonce), 0);
	_cleanup_free_ char *sig = NULL, *other_sig = NULL;
	struct error err = { 0 };
	ASSERT_INT_EQ(auth_sign(id.key, nonce, NODE, &sig, &err), 0);
	ASSERT_INT_EQ(auth_sign(other.key, nonce, NODE, &other_sig, &err), 0);
	int by_other = auth_verify(id.pub, nonce, NODE, other_sig, &err);
	int wrong_pub = auth_verify(other.pub, nonce, NODE, sig, &err);
	char tampered[AUTH_NONCE_HEX_LEN + 1];
	memcpy(tampered, nonce, sizeof(tampered));
	tampered[0] = tampered[0] == 'a' ? 'b' : 'a';
	int bad_nonce = auth_verify(id.pub, tampered, NODE, sig, &err);
	int bad_node = auth_verify(id.pub, nonce, "mi-other", sig, &err);
	identity_release(&id);
	identity_release(&other);
	ASSERT_INT_EQ(by_other, -EPERM);
	ASSERT_INT_EQ(wrong_pub, -EPERM);
	ASSERT_INT_EQ(bad_nonce, -EPERM);
	ASSERT_INT_EQ(bad_node, -EPERM);
}

TEST(auth_refuses_malformed_input)
{
	struct identity id;
	ASSERT_INT_EQ(identity_new(&id), 0);
	char nonce[AUTH_NONCE_HEX_LEN + 1];
	ASSERT_INT_EQ(auth_new_nonce(nonce), 0);
	_cleanup_free_ char *sig = NULL;
	struct error err = { 0 };
	ASSERT_INT_EQ(auth_sign(id.key, nonce, NODE, &sig, &err), 0);
	char upper[AUTH_NONCE_HEX_LEN + 1];
	memset(upper, 'A', AUTH_NONCE_HEX_LEN);
	upper[AUTH_NONCE_HEX_LEN] = '\0';
	int r_upper = auth_verify(id.pub, upper, NODE, sig, &err);
	int r_short = auth_verify(id.pub, "abcd", NODE, sig, &err);
	int r_pub = auth_verify("AAAA", nonce, NODE, sig, &err);
	int r_sig = auth_verify(id.pub, nonce, NODE, "not base64!", &err);
	int r_short_sig = auth_verify(id.pub, nonce, NODE, "AAAA", &err);
	int r_node = auth_verify(id.pub, nonce, "mi-1\nmi-2", sig, &err);
	int r_empty = auth_verify(id.pub, nonce, "", sig, &err);
	identity_release(&id);
	ASSERT_INT_EQ(r_upper, -EINVAL);
	ASSERT_INT_EQ(r_short, -EINVAL);
	ASSERT_INT_EQ(r_pub, -EINVAL);
	ASSERT_INT_EQ(r_sig, -EINVAL);
	ASSERT_INT_EQ(r_short_sig, -EINVAL);
	ASSERT_INT_EQ(r_node, -EINVAL);
	ASSERT_INT_EQ(r_empty, -EINVAL);
}

TEST(auth_load_refuses_other_keys)
{
	struct error err = { 0 };
	_cleanup_(evp_pkey_freep) EVP_PKEY *key = NULL;
	ASSERT_INT_EQ(auth_load_private_key("not a key", &key, &err), -EINVAL);
	/* An RSA key is a valid PEM key but not an identity. */
	_cleanup_(evp_pkey_freep) EVP_PKEY *rsa = EVP_PKEY_Q_keygen(NULL, NULL, "RSA", (size_t)1024);
	ASSERT_TRUE(rsa != NULL);
	BIO *bio = BIO_new(BIO_s_mem());
	ASSERT_TRUE(PEM_write_bio_PrivateKey(bio, rsa, NULL, NULL, 0, NULL, NULL) == 1);
	char *data = NULL;
	long len = BIO_get_mem_data(bio, &data);
	_cleanup_free_ char *pem = strndup(data, (size_t)len);
	BIO_free(bio);
	ASSERT_INT_EQ(auth_load_private_key(pem, &key, &err), -EINVAL);
	ASSERT_CONTAINS(err.message, "not an Ed25519 key");
}

TEST(auth_secret_equal_compares_whole_strings)
{
	ASSERT_TRUE(auth_secret_equal("Xy7-secret", "Xy7-secret"));
	ASSERT_TRUE(auth_secret_equal("", ""));
	ASSERT_TRUE(!auth_secret_equal("Xy7-secret", "Xy7-secreT"));
	ASSERT_TRUE(!auth_secret_equal("Xy7-secret", "Xy7-secret2"));
	ASSERT_TRUE(!auth_secret_equal("Xy7-secret", "Xy7"));
	ASSERT_TRUE(!auth_secret_equal("", "a"));
}
