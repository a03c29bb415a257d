/* AWS Signature Version 4 as the hub checks it (pure functions: parsing the Authorization
 * header, the canonical request, the signature), for operator requests signed by the aws
 * CLI or any SDK with keys from `tether-hub keys create`. */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <time.h>

#define SIGV4_ALGORITHM "AWS4-HMAC-SHA256"
#define SIGV4_AUTHORIZATION_MAX 2048
#define SIGV4_KEY_ID_MAX 128
#define SIGV4_SIGNED_HEADERS_MAX 32
#define SIGV4_HEX_LEN 64
#define SIGV4_AMZ_DATE_LEN 16 /* 20240102T030405Z */
#define SIGV4_SKEW_SECONDS 300 /* AWS's 5 minutes either way */

struct sigv4_authorization {
	char key_id[SIGV4_KEY_ID_MAX + 1];
	char date[9]; /* YYYYMMDD, the credential scope's date */
	char region[64];
	char service[32];
	char signed_headers[512]; /* "host;x-amz-date;...", as signed */
	/* The names of signed_headers, pointing into names_buf. */
	const char *names[SIGV4_SIGNED_HEADERS_MAX];
	size_t n_names;
	char names_buf[512];
	/* As given, at most 64 characters kept; one not of 64 lowercase hex digits never
	 * matches. */
	char signature[SIGV4_HEX_LEN + 1];
	bool signature_well_formed;
};

/* Parse the value of an Authorization header. On failure returns -EINVAL and fills why with
 * the IncompleteSignatureException message AWS gives for it. */
int sigv4_parse_authorization(const char *header, struct sigv4_authorization *ret, char *why,
			      size_t why_size);

/* Whether the parsed authorization signs the header name (lowercase). */
bool sigv4_signs_header(const struct sigv4_authorization *a, const char *name);

/* An X-Amz-Date value (YYYYMMDDTHHMMSSZ, UTC) as seconds since the epoch; -EINVAL when it is
 * not one. */
int sigv4_parse_amz_date(const char *value, time_t *ret);
/* The other way round. */
void sigv4_format_amz_date(time_t t, char ret[SIGV4_AMZ_DATE_LEN + 1]);

/* A header's value as SigV4 canonicalises it: surrounding white space removed, inner runs of
 * it made one space. Returns -ENOBUFS when out is too small. */
int sigv4_canonical_value(const char *value, char *out, size_t out_size);

/* A request header's value by its lowercase name, copied into buf; NULL when the request has
 * no such header. */
typedef const char *(*sigv4_header_fn)(void *ctx, const char *name, char *buf, size_t size);

/* "name:value\n" for each header the authorization signs, in its order, values canonical (a
 * signed header the request lacks counts as empty). *ret is the caller's to free. */
int sigv4_canonical_headers(const struct sigv4_authorization *a, sigv4_header_fn lookup,
			    void *ctx, char **ret);

/* What a request's signature covers besides its signed headers' values. */
struct sigv4_request {
	const char *method, *path, *query;
	/* "name:value\n" for each signed header, in SignedHeaders' order, values canonical. */
	const char *canonical_headers;
	const char *payload_sha256; /* lowercase hex of the body's sha256 */
	const char *amz_date;
};

/* The signature the secret gives the request under the authorization's scope, in lowercase
 * hex. Returns 0, or -EIO when libcrypto fails. */
int sigv4_signature(const char *secret, const struct sigv4_authorization *a,
		    const struct sigv4_request *r, char ret_hex[SIGV4_HEX_LEN + 1]);

/* Constant-time comparison of the computed signature with the one given. */
bool sigv4_signature_matches(const struct sigv4_authorization *a,
			     const char computed[SIGV4_HEX_LEN + 1]);
