#include "image/registry_client.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <cjson/cJSON.h>

#include "common/backoff.h"
#include "common/base64.h"
#include "common/cleanup.h"
#include "common/clock.h"
#include "common/fileio.h"
#include "common/parse.h"
#include "image/digest.h"
#include "image/registry_auth.h"
#include "image/registry_http.h"
#include "image/registry_tokens.h"
#include "protocol/json_value.h"

#define DOCKER_HUB_API "https://registry-1.docker.io"
#define ATTEMPTS 5
#define BACKOFF_FIRST_MS 250
#define BACKOFF_MAX_MS 8000
#define BACKOFF_JITTER 50
#define TOKEN_ANSWER_MAX (256u << 10)
#define ERROR_BODY_SHOWN 200
#define HASH_CHUNK (128u << 10)

/* What a manifest request accepts: indexes and image manifests, OCI and Docker schema 2. */
static const char manifest_accept[] =
	"application/vnd.oci.image.index.v1+json, "
	"application/vnd.oci.image.manifest.v1+json, "
	"application/vnd.docker.distribution.manifest.list.v2+json, "
	"application/vnd.docker.distribution.manifest.v2+json";

struct registry_client {
	char *registry;   /* as the reference names it: "127.0.0.1:5000" */
	char *repository;
	char *base;       /* "https://127.0.0.1:5000", no trailing '/' */
	char *origin;     /* the registry's own base, when base is a mirror; else NULL */
	struct registry_ca ca; /* the registry's own CA with the system's; empty: the system's */
	bool http_allowed;
	const char *auth_file;
	struct image_pull_progress *progress;
	pthread_mutex_t lock; /* authorization, shared by the blobs fetched side by side */
	char *authorization;
	uint64_t authorization_expires_ms;
	char *kept_token_key; /* the process-wide token the authorization is kept as, or NULL */
	bool authorization_was_kept; /* it came from there rather than from the token server */
	char credentials_note[400];  /* why the auth file gave none, when it says something */
};

void registry_client_free(struct registry_client *c)
{
	if (!c)
		return;
	free(c->registry);
	free(c->repository);
	free(c->base);
	free(c->origin);
	free(c->ca.pem);
	if (c->authorization)
		explicit_bzero(c->authorization, strlen(c->authorization));
	free(c->authorization);
	free(c->kept_token_key);
	pthread_mutex_destroy(&c->lock);
	free(c);
}

void registry_client_count_into(struct registry_client *c, struct image_pull_progress *progress)
{
	c->progress = progress;
}

static void registry_client_freep(struct registry_client **c)
{
	registry_client_free(*c);
}

static bool in_list(const char *csv, const char *item)
{
	size_t n = strlen(item);
	for (const char *p = csv; p && *p;) {
		const char *comma = strchr(p, ',');
		size_t len = comma ? (size_t)(comma - p) : strlen(p);
		if (len == n && !strncmp(p, item, n))
			return true;
		p = comma ? comma + 1 : NULL;
	}
	return false;
}

int registry_client_new(const struct image_ref *ref, const struct registry_options *o,
			struct registry_client **ret, struct error *err)
{
	struct registry_client *c = calloc(1, sizeof(*c));
	if (!c)
		return error_set(err, ENOMEM, "out of memory");
	pthread_mutex_init(&c->lock, NULL);
	_cleanup_(registry_client_freep) struct registry_client *owned = c;
	bool hub = !strcmp(ref->registry, IMAGE_REF_DEFAULT_REGISTRY);
	c->registry = strdup(ref->registry);
	c->repository = strdup(ref->repository);
	c->auth_file = o ? o->auth_file : NULL;
	c->http_allowed = image_ref_registry_is_loopback(ref->registry) ||
			  (o && in_list(o->insecure, ref->registry));
	int n = hub ? asprintf(&c->base, "%s", DOCKER_HUB_API)
		    : asprintf(&c->base, "https://%s", ref->registry);
	if (n < 0 || !c->registry || !c->repository)
		return error_set(err, ENOMEM, "out of memory");
	if (hub && o && o->mirror && *o->mirror) {
		size_t len = strlen(o->mirror);
		while (len > 0 && o->mirror[len - 1] == '/')
			len--;
		c->origin = TAKE_PTR(c->base);
		if (!(c->base = strndup(o->mirror, len)))
			return error_set(err, ENOMEM, "out of memory");
	}
	if (o && o->certs_dir) {
		_cleanup_free_ char *ca = NULL;
		struct stat st;
		if (asprintf(&ca, "%s/%s/ca.crt", o->certs_dir, ref->registry) < 0)
			return error_set(err, ENOMEM, "out of memory");
		int r = stat(ca, &st) == 0 ? registry_ca_load(ca, &c->ca, err) : 0;
		if (r < 0)
			return r;
	}
	*ret = TAKE_PTR(owned);
	return 0;
}

/* Jittered, so that a fleet that lost its registry at once does not come back at once; a
 * registry's Retry-After of up to a minute wins. */
static void backoff(int attempt, const char *retry_after)
{
	uint32_t rnd = 0;
	if (getrandom(&rnd, sizeof(rnd), GRND_NONBLOCK) != sizeof(rnd))
		rnd = (uint32_t)monotonic_ms();
	uint64_t wait_ms = backoff_delay_ms((unsigned)attempt, BACKOFF_FIRST_MS, BACKOFF_MAX_MS,
					    BACKOFF_JITTER, rnd);
	uint64_t seconds = 0;
	if (retry_after && parse_u64(retry_after, 0, 60, &seconds) == 0)
		wait_ms = seconds * 1000;
	struct timespec ts = { .tv_sec = (time_t)(wait_ms / 1000),
			       .tv_nsec = (long)(wait_ms % 1000) * 1000000L };
	while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
		;
}

static char *percent_encode(const char *s)
{
	char *out = malloc(strlen(s) * 3 + 1), *o = out;
	if (!out)
		return NULL;
	for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
		if ((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9') ||
		    strchr("-._~", *p))
			*o++ = (char)*p;
		else
			o += sprintf(o, "%%%02X", *p);
	}
	*o = '\0';
	return out;
}

static int load_credentials(struct registry_client *c, struct registry_credentials *creds,
			    struct error *err)
{
	if (!c->auth_file)
		return -ENOENT;
	_cleanup_free_ char *json = NULL;
	size_t size = 0;
	int r = read_file_full(c->auth_file, 1u << 20, &json, &size);
	if (r == -ENOENT)
		return -ENOENT;
	if (r < 0)
		return error_set_errno(err, r, "registry credentials %s", c->auth_file);
	struct error found = { 0 };
	r = registry_credentials_find(json, size, c->registry, creds, &found);
	if (r == -ENOENT && found.code)
		snprintf(c->credentials_note, sizeof(c->credentials_note), " (%.150s: %.200s)", c->auth_file,
			 found.message);
	if (r < 0 && r != -ENOENT) {
		*err = found;
		return error_wrap(err, "registry credentials %s", c->auth_file);
	}
	return r;
}

static char *basic_authorization(const struct registry_credentials *creds)
{
	_cleanup_free_ char *pair = NULL;
	if (asprintf(&pair, "%s:%s", creds->username, creds->password) < 0)
		return NULL;
	_cleanup_free_ char *encoded = base64_encode(pair, strlen(pair));
	explicit_bzero(pair, strlen(pair));
	char *header = NULL;
	if (!encoded || asprintf(&header, "Basic %s", encoded) < 0)
		return NULL;
	return header;
}

/* The registry's own words for a failure: the first entry of the distribution API's
 * {"errors": [{"code", "message"}]}, else the start of the body on one line. */
static void failure_words(const struct registry_http_response *res, char *buf, size_t size)
{
	buf[0] = '\0';
	_cleanup_(cjson_deletep) cJSON *doc = res->body ? cJSON_ParseWithLength(res->body, res->size)
							 : NULL;
	const cJSON *errors = cJSON_GetObjectItemCaseSensitive(doc, "errors");
	const cJSON *first = cJSON_IsArray(errors) ? cJSON_GetArrayItem(errors, 0) : NULL;
	const char *code = json_string_member(first, "code");
	const char *message = json_string_member(first, "message");
	if (code || message)
		snprintf(buf, size, ": %.200s%s%.40s%s", message ? message : "",
			 message && code ? " (" : "", code ? code : "", message && code ? ")" : "");
	else if (res->body && res->size)
		snprintf(buf, size, ": %.*s", ERROR_BODY_SHOWN, res->body);
	for (char *p = buf; *p; p++)
		if (*p == '\n' || *p == '\r' || *p == '\t')
			*p = ' ';
	size_t n = strlen(buf);
	while (n > 0 && buf[n - 1] == ' ')
		buf[--n] = '\0';
}


/* Ask the token server of a Bearer challenge for a pull token, with the node's credentials
 * when it has some. */
static int fetch_token(struct registry_client *c, const struct auth_challenge *ch,
		       const struct registry_credentials *creds, char **ret_header,
		       uint64_t *ret_expires_ms, struct error *err)
{
	_cleanup_free_ char *default_scope = NULL, *scope = NULL, *service = NULL, *url = NULL;
	if (!ch->scope && asprintf(&default_scope, "repository:%s:pull", c->repository) < 0)
		return error_set(err, ENOMEM, "out of memory");
	scope = percent_encode(ch->scope ? ch->scope : default_scope);
	service = ch->service ? percent_encode(ch->service) : strdup("");
	if (!scope || !service ||
	    asprintf(&url, "%s%cscope=%s%s%s", ch->realm, strchr(ch->realm, '?') ? '&' : '?', scope,
		     ch->service ? "&service=" : "", service) < 0)
		return error_set(err, ENOMEM, "out of memory");
	_cleanup_free_ char *basic = creds ? basic_authorization(creds) : NULL;
	if (creds && !basic)
		return error_set(err, ENOMEM, "out of memory");
	struct registry_http_request req = {
		.url = url, .authorization = basic, .fd = -1, .max_size = TOKEN_ANSWER_MAX,
		.ca = &c->ca,
	};
	struct registry_http_response res = { 0 };
	int r = registry_http_get(&req, &res, err);
	if (basic)
		explicit_bzero(basic, strlen(basic));
	if (r < 0)
		return error_wrap(err, "token server");
	if (res.status == 401 || res.status == 403) {
		r = creds ? error_set(err, EACCES, "token server %s refused the credentials of user "
				      "\"%s\" (HTTP %ld)", ch->realm, creds->username, res.status)
			  : error_set(err, EACCES, "token server %s wants credentials (HTTP %ld) and "
				      "the node has none for %s%s", ch->realm, res.status, c->registry,
				      c->credentials_note);
	} else if (res.status != 200) {
		char words[300];
		failure_words(&res, words, sizeof(words));
		r = error_set(err, EPROTO, "token server %s answered HTTP %ld%s", ch->realm,
			      res.status, words);
	} else {
		struct auth_token token = { 0 };
		r = auth_token_parse(res.body ? res.body : "", res.size, &token, err);
		if (r < 0)
			error_wrap(err, "token server %s", ch->realm);
		else if (asprintf(ret_header, "Bearer %s", token.token) < 0)
			r = error_set(err, ENOMEM, "out of memory");
		else
			*ret_expires_ms = (uint64_t)monotonic_ms() + (uint64_t)token.expires_in * 1000;
		auth_token_done(&token);
	}
	registry_http_response_done(&res);
	return r;
}

/* What a token is kept by (image/registry_tokens.h): the challenge and the user. */
static char *token_key(const struct auth_challenge *ch, const char *registry,
		       const char *repository, const struct registry_credentials *creds)
{
	/* The password by its hash: a token got with a password no longer in the auth file is
	 * not handed out again. */
	char secret[SHA256_HEX_LEN + 1] = "";
	if (creds && sha256_hex(creds->password, strlen(creds->password), secret) < 0)
		return NULL;
	char *key = NULL;
	if (asprintf(&key, "%s\n%s\n%s\n%s%s%s\n%s\n%s", registry, ch->realm,
		     ch->service ? ch->service : "", ch->scope ? ch->scope : "repository:",
		     ch->scope ? "" : repository, ch->scope ? "" : ":pull",
		     creds ? creds->username : "", secret) < 0)
		return NULL;
	return key;
}

static void set_authorization(struct registry_client *c, char *header, uint64_t expires_ms,
			      char *kept_token_key, bool was_kept)
{
	pthread_mutex_lock(&c->lock);
	c->authorization_was_kept = was_kept;
	free(c->authorization);
	free(c->kept_token_key);
	c->authorization = header;
	c->authorization_expires_ms = expires_ms;
	c->kept_token_key = kept_token_key;
	pthread_mutex_unlock(&c->lock);
}

/* Answer a 401's challenge: the next request carries the new Authorization. A Bearer token
 * kept from an earlier pull is used when KEPT_OK; a new one is kept for later pulls. */
static int authenticate(struct registry_client *c, const char *www_authenticate, bool kept_ok,
			struct error *err)
{
	if (!www_authenticate)
		return error_set(err, EACCES, "registry %s answered 401 without a challenge",
				 c->registry);
	_cleanup_(auth_challenge_done) struct auth_challenge ch = { 0 };
	int r = auth_challenge_parse(www_authenticate, &ch, err);
	if (r < 0)
		return error_wrap(err, "registry %s", c->registry);
	_cleanup_(registry_credentials_done) struct registry_credentials creds = { 0 };
	r = load_credentials(c, &creds, err);
	if (r < 0 && r != -ENOENT)
		return r;
	bool have = r == 0;
	char *header = NULL;
	uint64_t expires = UINT64_MAX;
	if (ch.scheme == AUTH_BASIC) {
		if (!have)
			return error_set(err, EACCES, "registry %s wants credentials (Basic) and the "
					 "node has none for it%s%s%s", c->registry,
					 c->auth_file ? " in " : "", c->auth_file ? c->auth_file : "",
					 c->credentials_note);
		if (!(header = basic_authorization(&creds)))
			return error_set(err, ENOMEM, "out of memory");
	} else {
		char *key = token_key(&ch, c->registry, c->repository, have ? &creds : NULL);
		if (!key)
			return error_set(err, ENOMEM, "out of memory");
		char *kept = kept_ok ? registry_token_lookup(key) : NULL;
		if (kept) {
			set_authorization(c, kept, UINT64_MAX, key, true);
			return 0;
		}
		r = fetch_token(c, &ch, have ? &creds : NULL, &header, &expires, err);
		if (r < 0) {
			free(key);
			return r;
		}
		registry_token_keep(key, header, expires);
		set_authorization(c, header, expires, key, false);
		return 0;
	}
	set_authorization(c, header, expires, NULL, false);
	return 0;
}

static char *current_authorization(struct registry_client *c)
{
	pthread_mutex_lock(&c->lock);
	if (c->authorization && (uint64_t)monotonic_ms() + 5000 >= c->authorization_expires_ms) {
		free(c->authorization);
		c->authorization = NULL; /* expired (or about to): the next 401 gets a new one */
	}
	char *copy = c->authorization ? strdup(c->authorization) : NULL;
	pthread_mutex_unlock(&c->lock);
	return copy;
}

/* Switch the client to http:// when URL (which failed over TLS) is still its base: -EAGAIN
 * when it is not https any more, -ENOMEM. */
static int to_plain_http(struct registry_client *c, const char *url)
{
	/* Only a request to the registry's own https base falls back (not a redirect's
	 * target): the base switches once, and another thread's failure meanwhile finds it
	 * switched already and tries again on http. */
	if (strncmp(url, "https://", 8) != 0)
		return -EAGAIN;
	int r = 0;
	pthread_mutex_lock(&c->lock);
	if (!strncmp(c->base, "https://", 8) && !strncmp(url, c->base, strlen(c->base))) {
		char *plain = NULL;
		if (asprintf(&plain, "http://%s", c->base + 8) < 0) {
			r = -ENOMEM;
		} else {
			free(c->base);
			c->base = plain;
		}
	} else if (strncmp(c->base, "http://", 7) != 0 || strncmp(url + 8, c->base + 7,
								   strlen(c->base + 7)) != 0) {
		r = -EAGAIN;
	}
	pthread_mutex_unlock(&c->lock);
	return r;
}

/* From a failing mirror to the registry itself, once. */
static bool leave_mirror(struct registry_client *c)
{
	pthread_mutex_lock(&c->lock);
	bool left = c->origin != NULL;
	if (left) {
		free(c->base);
		c->base = TAKE_PTR(c->origin);
	}
	pthread_mutex_unlock(&c->lock);
	return left;
}

static bool retryable_status(long status)
{
	return status == 429 || status == 408 || status >= 500;
}

/* A GET against the registry's API at PATH: TLS falling back to plain HTTP where allowed,
 * a 401 answered once, transient failures retried. REQ's url and authorization are set
 * here; the caller reads RES when 0 is returned (any status but those handled here). */
static int api_get(struct registry_client *c, const char *path, struct registry_http_request *req,
		   struct registry_http_response *res, struct error *err)
{
	int auth_rounds = 0;
	for (int attempt = 0;; attempt++) {
		_cleanup_free_ char *url = NULL, *authorization = current_authorization(c);
		pthread_mutex_lock(&c->lock);
		int n = asprintf(&url, "%s/v2/%s", c->base, path);
		pthread_mutex_unlock(&c->lock);
		if (n < 0)
			return error_set(err, ENOMEM, "out of memory");
		req->url = url;
		req->authorization = authorization;
		int r = registry_http_get(req, res, err);
		req->url = req->authorization = NULL;
		/* A file sink that got part of a body resumes from what the file holds: the caller
		 * hashes it again and asks for the rest, wherever from. */
		if (r < 0 && req->fd >= 0 && res->size > 0)
			return r;
		if (r < 0 && res->tls_failed && c->http_allowed && to_plain_http(c, url) == 0) {
			/* A loopback or listed insecure registry that speaks plain HTTP. */
			registry_http_response_done(res);
			attempt--;
			continue;
		}
		if ((r < 0 || (res->status >= 400 && res->status != 401)) && leave_mirror(c)) {
			/* The mirror failed: Docker Hub itself, as Docker does, authenticating anew. */
			registry_http_response_done(res);
			error_clear(err);
			set_authorization(c, NULL, 0, NULL, false);
			auth_rounds = 0;
			attempt--;
			continue;
		}
		if (r < 0 && (!res->transport_failed || attempt + 1 >= ATTEMPTS))
			return r;
		/* A kept token refused (revoked, or the server restarted with new keys) gets one
		 * more round with a new one. */
		pthread_mutex_lock(&c->lock);
		bool kept_refused = auth_rounds == 1 && c->authorization_was_kept;
		_cleanup_free_ char *refused_key = r == 0 && res->status == 401 && c->kept_token_key
							   ? strdup(c->kept_token_key)
							   : NULL;
		pthread_mutex_unlock(&c->lock);
		if (refused_key)
			registry_token_forget(refused_key);
		if (r == 0 && res->status == 401 && (auth_rounds == 0 || kept_refused)) {
			r = authenticate(c, res->www_authenticate, auth_rounds++ == 0, err);
			registry_http_response_done(res);
			if (r < 0)
				return r;
			attempt--;
			continue;
		}
		if (r == 0 && res->status == 401)
			return error_set(err, EACCES, "registry %s refused the node's credentials for "
					 "%s (HTTP 401)", c->registry, c->repository);
		if (r == 0 && !retryable_status(res->status))
			return 0;
		if (r == 0 && attempt + 1 >= ATTEMPTS)
			return 0;
		/* A file sink may have got part of the body: the caller resumes from there. */
		if (r < 0 && req->fd >= 0)
			return r;
		_cleanup_free_ char *retry_after = res->retry_after ? strdup(res->retry_after) : NULL;
		registry_http_response_done(res);
		error_clear(err);
		backoff(attempt, retry_after);
	}
}

static int status_error(struct registry_client *c, const char *what,
			const struct registry_http_response *res, struct error *err)
{
	int code = res->status == 404 ? ENOENT : res->status == 403 ? EACCES : EPROTO;
	char words[300];
	failure_words(res, words, sizeof(words));
	return error_set(err, code, "registry %s: GET %s: HTTP %ld%s", c->registry, what,
			 res->status, words);
}

static bool is_schema1(const char *media_type)
{
	return media_type && (!strncmp(media_type, "application/vnd.docker.distribution.manifest.v1",
				       strlen("application/vnd.docker.distribution.manifest.v1")));
}

int registry_get_manifest(struct registry_client *c, const char *name, char **ret_body,
			  size_t *ret_size, char **ret_media_type, char **ret_digest,
			  struct error *err)
{
	_cleanup_free_ char *path = NULL;
	if (asprintf(&path, "%s/manifests/%s", c->repository, name) < 0)
		return error_set(err, ENOMEM, "out of memory");
	struct registry_http_request req = {
		.accept = manifest_accept, .fd = -1, .max_size = OCI_JSON_MAX_SIZE,
		.ca = &c->ca,
	};
	_cleanup_(registry_http_response_done) struct registry_http_response res = { 0 };
	int r = api_get(c, path, &req, &res, err);
	if (r < 0)
		return r;
	if (res.status != 200)
		return status_error(c, path, &res, err);
	if (is_schema1(res.content_type))
		return error_set(err, EPROTONOSUPPORT, "%s:%s is a Docker schema 1 manifest, which "
				 "tether does not pull (push it again with a current client)",
				 c->repository, name);
	char hex[SHA256_HEX_LEN + 1];
	if (sha256_hex(res.body ? res.body : "", res.size, hex) < 0)
		return error_set(err, ENOMEM, "out of memory");
	char digest[7 + SHA256_HEX_LEN + 1];
	snprintf(digest, sizeof(digest), "sha256:%s", hex);
	if (!strncmp(name, "sha256:", 7) && strcmp(name, digest) != 0)
		return error_set(err, EBADMSG, "manifest %s: digest mismatch (content is %s)", name,
				 digest);
	char *media_type = strdup(res.content_type ? res.content_type : "");
	char *digest_copy = strdup(digest);
	if (!media_type || !digest_copy) {
		free(media_type);
		free(digest_copy);
		return error_set(err, ENOMEM, "out of memory");
	}
	/* "application/...+json; charset=utf-8" names the same type. */
	media_type[strcspn(media_type, "; ")] = '\0';
	*ret_body = TAKE_PTR(res.body);
	*ret_size = res.size;
	*ret_media_type = media_type;
	*ret_digest = digest_copy;
	return 0;
}

int registry_get_blob(struct registry_client *c, const struct oci_descriptor *desc,
		      char **ret_body, size_t *ret_size, struct error *err)
{
	char hex[SHA256_HEX_LEN + 1], got[SHA256_HEX_LEN + 1];
	if (digest_parse_sha256(desc->digest, hex) < 0)
		return error_set(err, EINVAL, "digest \"%.80s\" is not sha256:<hex>", desc->digest);
	if (desc->size > OCI_JSON_MAX_SIZE)
		return error_set(err, EFBIG, "blob %s: %llu bytes, more than %u", desc->digest,
				 (unsigned long long)desc->size, OCI_JSON_MAX_SIZE);
	_cleanup_free_ char *path = NULL;
	if (asprintf(&path, "%s/blobs/%s", c->repository, desc->digest) < 0)
		return error_set(err, ENOMEM, "out of memory");
	struct registry_http_request req = { .fd = -1, .max_size = desc->size, .ca = &c->ca };
	_cleanup_(registry_http_response_done) struct registry_http_response res = { 0 };
	int r = api_get(c, path, &req, &res, err);
	if (r == -EFBIG)
		return error_set(err, EBADMSG, "blob %s: larger than its descriptor's %llu bytes",
				 desc->digest, (unsigned long long)desc->size);
	if (r < 0)
		return r;
	if (res.status != 200)
		return status_error(c, path, &res, err);
	if (res.size != desc->size)
		return error_set(err, EBADMSG, "blob %s: %zu bytes, descriptor says %llu",
				 desc->digest, res.size, (unsigned long long)desc->size);
	if (sha256_hex(res.body ? res.body : "", res.size, got) < 0)
		return error_set(err, ENOMEM, "out of memory");
	if (strcmp(got, hex) != 0)
		return error_set(err, EBADMSG, "blob %s: digest mismatch (content is sha256:%s)",
				 desc->digest, got);
	*ret_body = res.body ? TAKE_PTR(res.body) : strdup("");
	*ret_size = res.size;
	return *ret_body ? 0 : error_set(err, ENOMEM, "out of memory");
}

/* Hash what FD holds already (a transfer cut before) and leave it positioned at its end. */
static int hash_existing(int fd, struct sha256_stream *hash, uint64_t *ret_size)
{
	if (lseek(fd, 0, SEEK_SET) < 0)
		return -errno;
	_cleanup_free_ unsigned char *buf = malloc(HASH_CHUNK);
	if (!buf)
		return -ENOMEM;
	uint64_t total = 0;
	for (;;) {
		ssize_t n = read(fd, buf, HASH_CHUNK);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -errno;
		if (n == 0)
			break;
		if (sha256_stream_update(hash, buf, (size_t)n) < 0)
			return -ENOMEM;
		total += (uint64_t)n;
	}
	*ret_size = total;
	return 0;
}

static int restart_file(int fd)
{
	if (ftruncate(fd, 0) < 0 || lseek(fd, 0, SEEK_SET) < 0)
		return -errno;
	return 0;
}

int registry_fetch_blob(struct registry_client *c, const struct oci_descriptor *desc, int fd,
			struct error *err)
{
	char hex[SHA256_HEX_LEN + 1], got[SHA256_HEX_LEN + 1];
	if (digest_parse_sha256(desc->digest, hex) < 0)
		return error_set(err, EINVAL, "digest \"%.80s\" is not sha256:<hex>", desc->digest);
	_cleanup_free_ char *path = NULL;
	if (asprintf(&path, "%s/blobs/%s", c->repository, desc->digest) < 0)
		return error_set(err, ENOMEM, "out of memory");
	bool restarted = false;
	if (c->progress)
		atomic_fetch_add(&c->progress->total, desc->size);
	for (int attempt = 0;; attempt++) {
		struct sha256_stream hash;
		if (sha256_stream_init(&hash) < 0)
			return error_set(err, ENOMEM, "out of memory");
		uint64_t have = 0;
		int r = hash_existing(fd, &hash, &have);
		if (r == 0 && have > desc->size)
			r = restart_file(fd);
		if (r < 0) {
			sha256_stream_release(&hash);
			return error_set_errno(err, r, "blob %s: partial file", desc->digest);
		}
		if (have > desc->size) {
			sha256_stream_release(&hash);
			continue;
		}
		bool resumed = have > 0;
		if (attempt == 0 && c->progress)
			atomic_fetch_add(&c->progress->done, have); /* fetched by an earlier pull */
		if (have < desc->size) {
			struct registry_http_request req = {
				.fd = fd, .hash = &hash, .range_from = have, .max_size = desc->size,
				.ca = &c->ca, .progress = c->progress ? &c->progress->done : NULL,
			};
			struct registry_http_response res = { 0 };
			r = api_get(c, path, &req, &res, err);
			if (r == 0 && res.status != 200 && res.status != 206)
				r = status_error(c, path, &res, err);
			bool transient = r < 0 && res.transport_failed;
			if (res.restarted)
				have = 0;
			uint64_t received = res.size;
			registry_http_response_done(&res);
			if (transient && attempt + 1 < ATTEMPTS) {
				sha256_stream_release(&hash);
				error_clear(err);
				if (received == 0)
					backoff(attempt, NULL);
				continue; /* resume from what the file holds now */
			}
			if (r < 0) {
				sha256_stream_release(&hash);
				return r;
			}
			have += received;
		}
		r = have == desc->size ? sha256_stream_final_hex(&hash, got) : -EBADMSG;
		sha256_stream_release(&hash);
		if (r == 0 && !strcmp(got, hex))
			return lseek(fd, 0, SEEK_SET) < 0
				       ? error_set_errno(err, errno, "blob %s", desc->digest)
				       : 0;
		if (restart_file(fd) < 0)
			return error_set_errno(err, errno, "blob %s", desc->digest);
		/* A resumed file may hold a bad start from an earlier run: once more from zero. */
		if (resumed && !restarted && attempt + 1 < ATTEMPTS) {
			restarted = true;
			continue;
		}
		if (have != desc->size)
			return error_set(err, EBADMSG, "blob %s: %llu bytes, descriptor says %llu",
					 desc->digest, (unsigned long long)have,
					 (unsigned long long)desc->size);
		return error_set(err, EBADMSG, "blob %s: digest mismatch (content is sha256:%s)",
				 desc->digest, got);
	}
}
