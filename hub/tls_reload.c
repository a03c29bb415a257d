#include <errno.h>
#include <stdio.h>

#include <openssl/bn.h>
#include <openssl/err.h>
#include <openssl/x509.h>

#include "hub/tls_reload.h"

/* OpenSSL's own reason for the last failure, for the operator's log. */
static const char *openssl_reason(void)
{
	unsigned long e = ERR_peek_last_error();
	const char *r = e ? ERR_reason_error_string(e) : NULL;
	return r ? r : "unknown reason";
}

static int load_pair(SSL_CTX *ctx, const struct tls_reload *t, struct error *err)
{
	ERR_clear_error();
	if (SSL_CTX_use_certificate_chain_file(ctx, t->cert_path) != 1)
		return error_set(err, EINVAL, "cannot load certificate %s: %s", t->cert_path,
				 openssl_reason());
	if (SSL_CTX_use_PrivateKey_file(ctx, t->key_path, SSL_FILETYPE_PEM) != 1)
		return error_set(err, EINVAL, "cannot load key %s: %s", t->key_path,
				 openssl_reason());
	if (SSL_CTX_check_private_key(ctx) != 1)
		return error_set(err, EINVAL, "key %s is not the key of certificate %s",
				 t->key_path, t->cert_path);
	return 0;
}

static void summarize(SSL_CTX *ctx, char *out, size_t size)
{
	X509 *cert = SSL_CTX_get0_certificate(ctx);
	char subject[256] = "?";
	char *serial = NULL;
	if (cert) {
		X509_NAME_oneline(X509_get_subject_name(cert), subject, sizeof(subject));
		BIGNUM *bn = ASN1_INTEGER_to_BN(X509_get0_serialNumber(cert), NULL);
		serial = bn ? BN_bn2hex(bn) : NULL;
		BN_free(bn);
	}
	snprintf(out, size, "subject %s, serial %s", subject, serial ? serial : "?");
	OPENSSL_free(serial);
}

int tls_reload_apply(struct tls_reload *t, char *ret_summary, size_t summary_size,
		     struct error *err)
{
	if (!t->served)
		return error_set(err, ENOTCONN, "the listener has no TLS context to reload");
	/* A trial on a context of its own, so that a bad pair never reaches the served one. */
	SSL_CTX *trial = SSL_CTX_new(TLS_server_method());
	if (!trial)
		return error_set(err, ENOMEM, "cannot make a TLS context: %s", openssl_reason());
	int r = load_pair(trial, t, err);
	SSL_CTX_free(trial);
	if (r < 0)
		return r;
	/* The event loop is single-threaded: no connection is accepted between the two loads,
	 * so none sees the new certificate with the old key. */
	r = load_pair(t->served, t, err);
	if (r < 0)
		return r;
	summarize(t->served, ret_summary, summary_size);
	return 0;
}
