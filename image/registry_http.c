#include "image/registry_http.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "common/cleanup.h"
#include "common/curl_dl.h"
#include "common/fileio.h"
#include "common/version.h"

#define CONNECT_TIMEOUT_S 30L
/* A transfer that moves less than this for this long is stalled: cut, then resumed. */
#define STALL_BYTES_PER_S 1024L
#define STALL_SECONDS 60L
#define MAX_REDIRECTS 5L
#define RECEIVE_BUFFER_BYTES (256L << 10)
#define ERROR_BODY_MAX (64u << 10)
#define CA_FILE_MAX (8u << 20)

struct transfer {
	const struct registry_http_request *req;
	struct registry_http_response *res;
	uint64_t offset;   /* where the body starts in the whole: range_from, or 0 */
	bool body_started;
	bool error_body_cut; /* an error page longer than kept: the transfer was ended there */
	int error;         /* -errno of a failed write, or -EFBIG */
};

/* A registry that ignores Range sends the whole blob: the file starts over. */
static int restart_sink(struct transfer *t)
{
	if (ftruncate(t->req->fd, 0) < 0 || lseek(t->req->fd, 0, SEEK_SET) < 0)
		return -errno;
	if (t->req->hash) {
		sha256_stream_release(t->req->hash);
		if (sha256_stream_init(t->req->hash) < 0)
			return -ENOMEM;
	}
	t->offset = 0;
	t->res->restarted = true;
	return 0;
}

static size_t on_body(char *data, size_t size, size_t nmemb, void *userdata)
{
	struct transfer *t = userdata;
	size_t n = size * nmemb;
	bool to_fd = t->req->fd >= 0 && t->res->status / 100 == 2;
	if (!t->body_started) {
		t->body_started = true;
		int r = to_fd && t->offset > 0 && t->res->status == 200 ? restart_sink(t) : 0;
		if (r < 0) {
			t->error = r;
			return 0;
		}
	}
	uint64_t total = t->offset + t->res->size + n;
	if (total > t->req->max_size) {
		t->error = -EFBIG;
		return 0;
	}
	/* Only a success carries content; an error page is kept in memory, for the reason. */
	if (to_fd) {
		for (size_t done = 0; done < n;) {
			ssize_t w = write(t->req->fd, data + done, n - done);
			if (w < 0 && errno == EINTR)
				continue;
			if (w < 0) {
				t->error = -errno;
				return 0;
			}
			done += (size_t)w;
		}
		if (t->req->hash && sha256_stream_update(t->req->hash, data, n) < 0) {
			t->error = -ENOMEM;
			return 0;
		}
		if (t->req->progress)
			atomic_fetch_add(t->req->progress, n);
		t->res->size += n;
		return n;
	}
	/* What a failure says is kept for its message, not more, whatever size the descriptor
	 * claimed for the blob. */
	if (t->req->fd >= 0 && t->res->size + n > ERROR_BODY_MAX) {
		t->error_body_cut = true;
		return 0;
	}
	char *grown = realloc(t->res->body, t->res->size + n + 1);
	if (!grown) {
		t->error = -ENOMEM;
		return 0;
	}
	memcpy(grown + t->res->size, data, n);
	t->res->size += n;
	grown[t->res->size] = '\0';
	t->res->body = grown;
	return n;
}

/* Header lines arrive one by one, those of every response of a redirect chain: a new status
 * line starts over. */
static size_t on_header(char *line, size_t size, size_t nmemb, void *userdata)
{
	struct transfer *t = userdata;
	size_t n = size * nmemb;
	if (n >= 5 && !strncmp(line, "HTTP/", 5)) {
		char *slots[] = { t->res->content_type, t->res->content_digest,
				  t->res->www_authenticate, t->res->retry_after };
		for (size_t i = 0; i < 4; i++)
			free(slots[i]);
		t->res->content_type = t->res->content_digest = NULL;
		t->res->www_authenticate = t->res->retry_after = NULL;
		const char *sp = memchr(line, ' ', n);
		t->res->status = sp ? strtol(sp + 1, NULL, 10) : 0;
		return n;
	}
	static const struct {
		const char *name;
		size_t offset;
	} wanted[] = {
		{ "Content-Type", offsetof(struct registry_http_response, content_type) },
		{ "Docker-Content-Digest", offsetof(struct registry_http_response, content_digest) },
		{ "WWW-Authenticate", offsetof(struct registry_http_response, www_authenticate) },
		{ "Retry-After", offsetof(struct registry_http_response, retry_after) },
	};
	const char *colon = memchr(line, ':', n);
	if (!colon)
		return n;
	size_t name_n = (size_t)(colon - line);
	for (size_t i = 0; i < sizeof(wanted) / sizeof(wanted[0]); i++) {
		char **slot = (char **)((char *)t->res + wanted[i].offset);
		if (*slot || strlen(wanted[i].name) != name_n ||
		    strncasecmp(line, wanted[i].name, name_n) != 0)
			continue;
		const char *v = colon + 1, *end = line + n;
		while (v < end && (*v == ' ' || *v == '\t'))
			v++;
		while (end > v && (end[-1] == '\r' || end[-1] == '\n' || end[-1] == ' '))
			end--;
		if ((size_t)(end - v) > 4096)
			break;
		*slot = strndup(v, (size_t)(end - v));
		break;
	}
	return n;
}

static void slist_freep(struct curl_slist **l)
{
	if (*l)
		sym_curl_slist_free_all(*l);
}

static void easy_cleanupp(CURL **c)
{
	if (*c)
		sym_curl_easy_cleanup(*c);
}

static int add_header(struct curl_slist **list, const char *name, const char *value)
{
	_cleanup_free_ char *line = NULL;
	if (asprintf(&line, "%s: %s", name, value) < 0)
		return -ENOMEM;
	struct curl_slist *grown = sym_curl_slist_append(*list, line);
	if (!grown)
		return -ENOMEM;
	*list = grown;
	return 0;
}

int registry_ca_load(const char *ca_file, struct registry_ca *ret, struct error *err)
{
	int r = curl_dl_open(err);
	if (r < 0)
		return r;
	_cleanup_free_ char *own = NULL, *system = NULL;
	size_t own_size = 0, system_size = 0;
	r = read_file_full(ca_file, CA_FILE_MAX, &own, &own_size);
	if (r < 0)
		return error_set_errno(err, r, "registry CA %s", ca_file);
	/* The bundle this libcurl was built to trust (none where it uses only a folder of CAs,
	 * which CAINFO_BLOB leaves in use). */
	char *bundle = NULL;
	CURL *probe = sym_curl_easy_init();
	if (probe && sym_curl_easy_getinfo(probe, CURLINFO_CAINFO, &bundle) == CURLE_OK && bundle)
		(void)read_file_full(bundle, CA_FILE_MAX, &system, &system_size);
	if (probe)
		sym_curl_easy_cleanup(probe);
	char *pem = malloc(own_size + system_size + 2);
	if (!pem)
		return error_set(err, ENOMEM, "out of memory");
	memcpy(pem, own, own_size);
	pem[own_size] = '\n';
	if (system)
		memcpy(pem + own_size + 1, system, system_size);
	*ret = (struct registry_ca){ .pem = pem, .size = own_size + 1 + system_size };
	return 0;
}

void registry_http_response_done(struct registry_http_response *res)
{
	free(res->body);
	free(res->content_type);
	free(res->content_digest);
	free(res->www_authenticate);
	free(res->retry_after);
	*res = (struct registry_http_response){ 0 };
}

int registry_http_get(const struct registry_http_request *req, struct registry_http_response *res,
		      struct error *err)
{
	*res = (struct registry_http_response){ 0 };
	int r = curl_dl_open(err);
	if (r < 0)
		return r;
	_cleanup_(easy_cleanupp) CURL *c = sym_curl_easy_init();
	_cleanup_(slist_freep) struct curl_slist *headers = NULL;
	if (!c)
		return error_set(err, ENOMEM, "out of memory");
	if ((req->accept && add_header(&headers, "Accept", req->accept) < 0) ||
	    (req->authorization && add_header(&headers, "Authorization", req->authorization) < 0))
		return error_set(err, ENOMEM, "out of memory");
	char range[64];
	snprintf(range, sizeof(range), "%llu-", (unsigned long long)req->range_from);
	struct transfer t = { .req = req, .res = res, .offset = req->range_from };
	sym_curl_easy_setopt(c, CURLOPT_URL, req->url);
	sym_curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "http,https");
	sym_curl_easy_setopt(c, CURLOPT_REDIR_PROTOCOLS_STR, "http,https");
	/* Blobs may live behind a redirect (object storage); curl keeps Authorization for the
	 * registry's own host only. */
	sym_curl_easy_setopt(c, CURLOPT_FOLLOWLOCATION, 1L);
	sym_curl_easy_setopt(c, CURLOPT_MAXREDIRS, MAX_REDIRECTS);
	sym_curl_easy_setopt(c, CURLOPT_HTTPHEADER, headers);
	sym_curl_easy_setopt(c, CURLOPT_USERAGENT, "tether/" TETHER_VERSION);
	sym_curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
	sym_curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT, CONNECT_TIMEOUT_S);
	sym_curl_easy_setopt(c, CURLOPT_LOW_SPEED_LIMIT, STALL_BYTES_PER_S);
	sym_curl_easy_setopt(c, CURLOPT_LOW_SPEED_TIME, STALL_SECONDS);
	sym_curl_easy_setopt(c, CURLOPT_ACCEPT_ENCODING, "identity");
	/* Layers are megabytes: fewer, larger writes of them (curl's default is 16 KiB). */
	sym_curl_easy_setopt(c, CURLOPT_BUFFERSIZE, RECEIVE_BUFFER_BYTES);
	struct curl_blob ca_blob;
	if (req->ca && req->ca->pem) {
		ca_blob = (struct curl_blob){ .data = req->ca->pem, .len = req->ca->size,
					      .flags = CURL_BLOB_NOCOPY };
		sym_curl_easy_setopt(c, CURLOPT_CAINFO_BLOB, &ca_blob);
	}
	if (req->range_from > 0)
		sym_curl_easy_setopt(c, CURLOPT_RANGE, range);
	sym_curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, on_body);
	sym_curl_easy_setopt(c, CURLOPT_WRITEDATA, &t);
	sym_curl_easy_setopt(c, CURLOPT_HEADERFUNCTION, on_header);
	sym_curl_easy_setopt(c, CURLOPT_HEADERDATA, &t);

	CURLcode rc = sym_curl_easy_perform(c);
	if (rc == CURLE_WRITE_ERROR && t.error_body_cut)
		rc = CURLE_OK; /* the status and the start of the page are all that is needed */
	if (t.error == -EFBIG)
		return error_set(err, EFBIG, "GET %s: larger than %zu bytes", req->url, req->max_size);
	if (t.error < 0)
		return error_set_errno(err, t.error, "GET %s: write", req->url);
	if (rc != CURLE_OK) {
		res->transport_failed = true;
		res->tls_failed = rc == CURLE_SSL_CONNECT_ERROR;
		int code = rc == CURLE_OPERATION_TIMEDOUT ? ETIMEDOUT
			   : rc == CURLE_COULDNT_CONNECT  ? ECONNREFUSED
			   : rc == CURLE_PEER_FAILED_VERIFICATION || rc == CURLE_SSL_CONNECT_ERROR ||
				   rc == CURLE_SSL_CACERT_BADFILE
				   ? EPROTO
				   : EIO;
		/* A bad certificate will not get better by trying again. */
		if (rc == CURLE_PEER_FAILED_VERIFICATION || rc == CURLE_SSL_CACERT_BADFILE)
			res->transport_failed = false;
		return error_set(err, code, "GET %s: %s", req->url, sym_curl_easy_strerror(rc));
	}
	long status = 0;
	sym_curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &status);
	res->status = status;
	return 0;
}
