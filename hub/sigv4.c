#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>

#include "common/cleanup.h"
#include "common/sha256.h"
#include "hub/sigv4.h"

#define TERMINATOR "aws4_request"
#define LOWER_DIGITS "abcdefghijklmnopqrstuvwxyz0123456789"
#define ALNUM "ABCDEFGHIJKLMNOPQRSTUVWXYZ" LOWER_DIGITS

static int refuse(char *why, size_t why_size, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static int refuse(char *why, size_t why_size, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(why, why_size, fmt, ap);
	va_end(ap);
	return -EINVAL;
}

static bool made_of(const char *s, const char *allowed, size_t max)
{
	size_t n = strlen(s);
	return n > 0 && n <= max && strspn(s, allowed) == n;
}

/* keyid/date/region/service/aws4_request */
static int parse_credential(char *value, struct sigv4_authorization *a, char *why, size_t n)
{
	char *parts[6] = { 0 };
	size_t count = 0;
	_cleanup_free_ char *given = strdup(value);
	if (!given)
		return -ENOMEM;
	for (char *p = value, *slash; count < 6; p = slash + 1) {
		parts[count++] = p;
		if (!(slash = strchr(p, '/')))
			break;
		*slash = '\0';
	}
	if (count != 5)
		return refuse(why, n, "Credential must have exactly 5 slash-delimited elements, e.g."
			      " keyid/date/region/service/term, got '%.200s'", given);
	if (!made_of(parts[0], ALNUM, SIGV4_KEY_ID_MAX))
		return refuse(why, n, "Credential's access key id must be 1 to %d letters and"
			      " digits", SIGV4_KEY_ID_MAX);
	if (strlen(parts[1]) != 8 || strspn(parts[1], "0123456789") != 8)
		return refuse(why, n, "Credential's date must be YYYYMMDD, not '%.32s'", parts[1]);
	if (!made_of(parts[2], LOWER_DIGITS "-", sizeof(a->region) - 1))
		return refuse(why, n, "Credential should be scoped to a valid region, not '%.64s'. ",
			      parts[2]);
	if (!made_of(parts[3], LOWER_DIGITS "-", sizeof(a->service) - 1))
		return refuse(why, n, "Credential should be scoped to a valid service, not '%.32s'. ",
			      parts[3]);
	if (strcmp(parts[4], TERMINATOR))
		return refuse(why, n, "Credential should be scoped with a valid terminator: '"
			      TERMINATOR "', not '%.32s'. ", parts[4]);
	snprintf(a->key_id, sizeof(a->key_id), "%s", parts[0]);
	snprintf(a->date, sizeof(a->date), "%s", parts[1]);
	snprintf(a->region, sizeof(a->region), "%s", parts[2]);
	snprintf(a->service, sizeof(a->service), "%s", parts[3]);
	return 0;
}

/* "host;x-amz-date;x-amz-target": lowercase names, each once, in order. */
static int parse_signed_headers(const char *value, struct sigv4_authorization *a, char *why,
				size_t n)
{
	static const char bad[] = "SignedHeaders must be lowercase header names separated by ';',"
				  " sorted, at most 32";
	if (strlen(value) >= sizeof(a->signed_headers))
		return refuse(why, n, bad);
	snprintf(a->signed_headers, sizeof(a->signed_headers), "%s", value);
	snprintf(a->names_buf, sizeof(a->names_buf), "%s", value);
	a->n_names = 0;
	for (char *p = a->names_buf, *semi;; p = semi + 1) {
		semi = strchr(p, ';');
		if (semi)
			*semi = '\0';
		if (!made_of(p, LOWER_DIGITS "-_.", sizeof(a->names_buf)) ||
		    a->n_names == SIGV4_SIGNED_HEADERS_MAX ||
		    (a->n_names > 0 && strcmp(a->names[a->n_names - 1], p) >= 0))
			return refuse(why, n, bad);
		a->names[a->n_names++] = p;
		if (!semi)
			return 0;
	}
}

static void keep_signature(const char *value, struct sigv4_authorization *a)
{
	snprintf(a->signature, sizeof(a->signature), "%s", value);
	a->signature_well_formed = strlen(value) == SIGV4_HEX_LEN &&
				   strspn(value, "0123456789abcdef") == SIGV4_HEX_LEN;
}

/* One "Name=value" component; *seen has a bit per name, so each comes once. */
static int parse_component(char *part, const char *header, unsigned *seen,
			   struct sigv4_authorization *a, char *why, size_t n)
{
	static const char *const names[] = { "Credential", "SignedHeaders", "Signature" };
	char *eq = strchr(part, '=');
	if (!eq)
		return refuse(why, n, "'%.100s' not a valid key=value pair (missing equal-sign) in"
			      " Authorization header: '%.200s'.", part, header);
	*eq = '\0';
	for (unsigned i = 0; i < ELEMENTSOF(names); i++) {
		if (strcmp(part, names[i]))
			continue;
		if (*seen & (1u << i))
			return refuse(why, n, "Authorization header has '%s' more than once.",
				      names[i]);
		*seen |= 1u << i;
		if (i == 0)
			return parse_credential(eq + 1, a, why, n);
		if (i == 1)
			return parse_signed_headers(eq + 1, a, why, n);
		keep_signature(eq + 1, a);
		return 0;
	}
	return 0; /* other parameters are not part of SigV4's header; ignored */
}

static int missing_parameters(unsigned seen, const char *header, char *why, size_t n)
{
	snprintf(why, n, "%s%s%sAuthorization=%.200s",
		 seen & 1 ? "" : "Authorization header requires 'Credential' parameter. ",
		 seen & 4 ? "" : "Authorization header requires 'Signature' parameter. ",
		 seen & 2 ? "" : "Authorization header requires 'SignedHeaders' parameter. ", header);
	return -EINVAL;
}

int sigv4_parse_authorization(const char *header, struct sigv4_authorization *ret, char *why,
			      size_t why_size)
{
	struct sigv4_authorization a = { 0 };
	if (strlen(header) > SIGV4_AUTHORIZATION_MAX)
		return refuse(why, why_size, "Authorization header is longer than %d bytes.",
			      SIGV4_AUTHORIZATION_MAX);
	size_t alg = strcspn(header, " ");
	if (alg != strlen(SIGV4_ALGORITHM) || strncmp(header, SIGV4_ALGORITHM, alg))
		return missing_parameters(0, header, why, why_size);
	_cleanup_free_ char *rest = strdup(header + alg);
	if (!rest)
		return -ENOMEM;
	unsigned seen = 0;
	for (char *save = NULL, *part = strtok_r(rest, ",", &save); part;
	     part = strtok_r(NULL, ",", &save)) {
		part += strspn(part, " ");
		size_t len = strlen(part);
		while (len > 0 && part[len - 1] == ' ')
			part[--len] = '\0';
		int r = len ? parse_component(part, header, &seen, &a, why, why_size) : 0;
		if (r < 0)
			return r;
	}
	if (seen != 7)
		return missing_parameters(seen, header, why, why_size);
	*ret = a;
	for (size_t i = 0; i < a.n_names; i++) /* into ret's own copy of the names */
		ret->names[i] = ret->names_buf + (a.names[i] - a.names_buf);
	return 0;
}

bool sigv4_signs_header(const struct sigv4_authorization *a, const char *name)
{
	for (size_t i = 0; i < a->n_names; i++)
		if (!strcmp(a->names[i], name))
			return true;
	return false;
}

int sigv4_parse_amz_date(const char *value, time_t *ret)
{
	if (strlen(value) != SIGV4_AMZ_DATE_LEN || value[8] != 'T' || value[15] != 'Z' ||
	    strspn(value, "0123456789") != 8 || strspn(value + 9, "0123456789") != 6)
		return -EINVAL;
	struct tm tm = { 0 };
	int field[6];
	static const int at[6] = { 0, 4, 6, 9, 11, 13 }, width[6] = { 4, 2, 2, 2, 2, 2 };
	for (int i = 0; i < 6; i++) {
		field[i] = 0;
		for (int j = 0; j < width[i]; j++)
			field[i] = field[i] * 10 + (value[at[i] + j] - '0');
	}
	tm.tm_year = field[0] - 1900;
	tm.tm_mon = field[1] - 1;
	tm.tm_mday = field[2];
	tm.tm_hour = field[3];
	tm.tm_min = field[4];
	tm.tm_sec = field[5];
	time_t t = timegm(&tm);
	char again[SIGV4_AMZ_DATE_LEN + 1];
	sigv4_format_amz_date(t, again);
	/* A date that does not come back as given (month 13, 31 February) is not one. */
	if (t == (time_t)-1 || strcmp(again, value))
		return -EINVAL;
	*ret = t;
	return 0;
}

void sigv4_format_amz_date(time_t t, char ret[SIGV4_AMZ_DATE_LEN + 1])
{
	struct tm tm;
	if (!gmtime_r(&t, &tm) || strftime(ret, SIGV4_AMZ_DATE_LEN + 1, "%Y%m%dT%H%M%SZ", &tm) == 0)
		snprintf(ret, SIGV4_AMZ_DATE_LEN + 1, "00000000T000000Z");
}

int sigv4_canonical_value(const char *value, char *out, size_t out_size)
{
	size_t n = 0;
	bool pending_space = false;
	for (const char *p = value; *p; p++) {
		if (*p == ' ' || *p == '\t') {
			pending_space = n > 0;
			continue;
		}
		if (n + (pending_space ? 2 : 1) >= out_size)
			return -ENOBUFS;
		if (pending_space)
			out[n++] = ' ';
		pending_space = false;
		out[n++] = *p;
	}
	if (out_size == 0)
		return -ENOBUFS;
	out[n] = '\0';
	return 0;
}

#define HEADER_VALUE_MAX 4096 /* libwebsockets' whole head is no larger */

int sigv4_canonical_headers(const struct sigv4_authorization *a, sigv4_header_fn lookup,
			    void *ctx, char **ret)
{
	_cleanup_free_ char *raw = malloc(HEADER_VALUE_MAX), *value = malloc(HEADER_VALUE_MAX);
	if (!raw || !value)
		return -ENOMEM;
	char *text = NULL;
	size_t size = 0;
	FILE *out = open_memstream(&text, &size);
	if (!out)
		return -ENOMEM;
	for (size_t i = 0; i < a->n_names; i++) {
		const char *given = lookup(ctx, a->names[i], raw, HEADER_VALUE_MAX);
		if (sigv4_canonical_value(given ? given : "", value, HEADER_VALUE_MAX) < 0)
			value[0] = '\0'; /* cannot be what was signed: the signature will not match */
		fprintf(out, "%s:%s\n", a->names[i], value);
	}
	if (fclose(out) != 0) {
		free(text);
		return -ENOMEM;
	}
	*ret = text;
	return 0;
}

static int hmac(const void *key, size_t key_len, const char *data, unsigned char out[32])
{
	unsigned int n = 0;
	if (!HMAC(EVP_sha256(), key, (int)key_len, (const unsigned char *)data, strlen(data), out,
		  &n) || n != 32)
		return -EIO;
	return 0;
}

/* AWS4 + secret, HMAC'd with the date, region, service and terminator in turn. */
static int signing_key(const char *secret, const struct sigv4_authorization *a,
		       unsigned char key[32])
{
	size_t n = strlen(secret) + 5;
	_cleanup_free_ char *first = malloc(n);
	if (!first)
		return -ENOMEM;
	snprintf(first, n, "AWS4%s", secret);
	unsigned char date_key[32], region_key[32], service_key[32];
	int r = hmac(first, n - 1, a->date, date_key);
	OPENSSL_cleanse(first, n);
	if (r == 0 && (hmac(date_key, 32, a->region, region_key) < 0 ||
		       hmac(region_key, 32, a->service, service_key) < 0 ||
		       hmac(service_key, 32, TERMINATOR, key) < 0))
		r = -EIO;
	OPENSSL_cleanse(date_key, sizeof(date_key));
	OPENSSL_cleanse(region_key, sizeof(region_key));
	OPENSSL_cleanse(service_key, sizeof(service_key));
	return r;
}

int sigv4_signature(const char *secret, const struct sigv4_authorization *a,
		    const struct sigv4_request *r, char ret_hex[SIGV4_HEX_LEN + 1])
{
	_cleanup_free_ char *canonical = NULL, *to_sign = NULL;
	if (asprintf(&canonical, "%s\n%s\n%s\n%s\n%s\n%s", r->method, r->path, r->query,
		     r->canonical_headers, a->signed_headers, r->payload_sha256) < 0) {
		canonical = NULL;
		return -ENOMEM;
	}
	char canonical_hash[SHA256_HEX_LEN + 1];
	if (sha256_hex(canonical, strlen(canonical), canonical_hash) < 0)
		return -EIO;
	if (asprintf(&to_sign, SIGV4_ALGORITHM "\n%s\n%s/%s/%s/" TERMINATOR "\n%s", r->amz_date,
		     a->date, a->region, a->service, canonical_hash) < 0) {
		to_sign = NULL;
		return -ENOMEM;
	}
	unsigned char key[32], sig[32];
	int rc = signing_key(secret, a, key);
	if (rc == 0)
		rc = hmac(key, sizeof(key), to_sign, sig);
	OPENSSL_cleanse(key, sizeof(key));
	if (rc < 0)
		return rc;
	static const char digits[] = "0123456789abcdef";
	for (int i = 0; i < 32; i++) {
		ret_hex[2 * i] = digits[sig[i] >> 4];
		ret_hex[2 * i + 1] = digits[sig[i] & 15];
	}
	ret_hex[SIGV4_HEX_LEN] = '\0';
	return 0;
}

bool sigv4_signature_matches(const struct sigv4_authorization *a,
			     const char computed[SIGV4_HEX_LEN + 1])
{
	return a->signature_well_formed &&
	       CRYPTO_memcmp(a->signature, computed, SIGV4_HEX_LEN) == 0;
}
