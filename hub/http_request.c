#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hub/http_answer.h"
#include "hub/http_head.h"
#include "hub/http_request.h"
#include "hub/server.h"
#include "hub/sigv4.h"

#define HTTP_BODY_MAX (64 * 1024)
/* A body that stops short of its Content-Length is answered after this long without a byte
 * of it: before libwebsockets' own wait for body data (5 s, its default timeout_secs) would
 * close the connection without a word. */
#define HTTP_BODY_WAIT_US (4 * LWS_US_PER_SEC)

struct http_session {
	struct http_request req;
	struct http_reply reply;
	struct lws *wsi;
	char *body;
	size_t size;
	uint64_t content_length;
	bool answered;    /* the reply is decided: what is left of the body is not read */
	bool close_after; /* the request's framing is broken: close once answered (RFC 9112) */
	lws_sorted_usec_list_t body_wait;
};

_Static_assert(sizeof(struct http_session) <= HTTP_REQUEST_SESSION_SIZE,
	       "HTTP_REQUEST_SESSION_SIZE holds a session");

static int send_headers(struct lws *wsi, struct http_session *h)
{
	unsigned char buf[LWS_PRE + 1024], *start = buf + LWS_PRE, *p = start,
					     *end = buf + sizeof(buf) - 1;
	size_t len = h->reply.body ? strlen(h->reply.body) : 0;
	const char *type = h->reply.content_type        ? h->reply.content_type
			   : h->req.is_register ? "application/json"
						: "application/x-amz-json-1.1";
	char retry[16];
	int retry_len = snprintf(retry, sizeof(retry), "%d", h->reply.retry_after);
	if (lws_add_http_common_headers(wsi, (unsigned int)h->reply.status, type, len, &p, end) ||
	    (h->reply.retry_after > 0 &&
	     lws_add_http_header_by_name(wsi, (const unsigned char *)"retry-after:",
					 (const unsigned char *)retry, retry_len, &p, end)) ||
	    (h->close_after &&
	     lws_add_http_header_by_token(wsi, WSI_TOKEN_CONNECTION, (const unsigned char *)"close",
					  5, &p, end)) ||
	    lws_finalize_write_http_header(wsi, start, &p, end))
		return -1;
	lws_callback_on_writable(wsi);
	return 0;
}

/* Answer now, before (or instead of) reading the body. */
static int answer_early(struct lws *wsi, struct http_session *h, bool close_after)
{
	lws_sul_cancel(&h->body_wait);
	h->answered = true;
	h->close_after = close_after;
	return send_headers(wsi, h);
}

static void body_overdue(lws_sorted_usec_list_t *sul)
{
	struct http_session *h = lws_container_of(sul, struct http_session, body_wait);
	if (h->answered)
		return;
	http_refuse(h->req.is_register, &h->reply, 400,
		    h->req.is_register ? "InvalidRequest" : "SerializationException",
		    "the request body stopped short of its Content-Length (%llu bytes announced,"
		    " %zu received)", (unsigned long long)h->content_length, h->size);
	if (answer_early(h->wsi, h, true) < 0)
		lws_set_timeout(h->wsi, PENDING_TIMEOUT_USER_OK, LWS_TO_KILL_ASYNC);
}

/* The body's length, from a Content-Length that leaves no doubt; false when refused. */
static bool read_content_length(struct lws *wsi, struct http_session *h)
{
	char value[32];
	int n = lws_hdr_total_length(wsi, WSI_TOKEN_HTTP_CONTENT_LENGTH);
	if (n >= (int)sizeof(value))
		snprintf(value, sizeof(value), "x"); /* longer than any length: not a number */
	else if (n > 0 && lws_hdr_copy(wsi, value, sizeof(value), WSI_TOKEN_HTTP_CONTENT_LENGTH) < 0)
		value[0] = '\0';
	bool chunked = lws_hdr_total_length(wsi, WSI_TOKEN_HTTP_TRANSFER_ENCODING) > 0;
	bool reg = h->req.is_register;
	const char *type = reg ? "InvalidRequest" : "SerializationException";
	switch (http_content_length(n > 0 ? value : NULL, chunked, HTTP_BODY_MAX,
				    &h->content_length)) {
	case HTTP_LENGTH_OK:
		return true;
	case HTTP_LENGTH_MISSING:
		http_refuse(reg, &h->reply, 411, type, "the request needs a Content-Length"
			    " (chunked bodies are not read)");
		return false;
	case HTTP_LENGTH_INVALID:
		http_refuse(reg, &h->reply, 400, type, "Content-Length must be one decimal number");
		return false;
	case HTTP_LENGTH_TOO_LARGE:
		http_refuse(reg, &h->reply, 413, type, "request body larger than 64 KiB");
		return false;
	}
	return false;
}

/* X-Amz-Target, kept only when it can name an operation; false when refused. */
static bool read_target(struct lws *wsi, struct http_session *h)
{
	int n = lws_hdr_custom_length(wsi, "x-amz-target:", 13);
	if (n > HTTP_TARGET_MAX) {
		http_refuse(false, &h->reply, 400, "UnknownOperationException",
			    "X-Amz-Target is too long (%d bytes; no operation is longer than %d)", n,
			    HTTP_TARGET_MAX);
		return false;
	}
	if (n > 0)
		lws_hdr_custom_copy(wsi, h->req.target, sizeof(h->req.target), "x-amz-target:", 13);
	return true;
}

/* A header by its lowercase name, as SigV4 reads the headers it signs: by libwebsockets' own
 * token when it knows the name, else among the headers it kept by name. */
static const char *header_value(void *ctx, const char *name, char *buf, size_t size)
{
	struct lws *wsi = ctx;
	size_t n = strlen(name);
	for (int t = 0; t < WSI_TOKEN_COUNT; t++) {
		const char *known = (const char *)lws_token_to_string((enum lws_token_indexes)t);
		if (!known || strncmp(known, name, n) || known[n] != ':' || known[n + 1])
			continue;
		if (lws_hdr_total_length(wsi, (enum lws_token_indexes)t) > 0)
			return lws_hdr_copy(wsi, buf, (int)size, (enum lws_token_indexes)t) < 0 ? NULL
												 : buf;
		break;
	}
	char custom[256];
	int len = snprintf(custom, sizeof(custom), "%s:", name);
	if (len >= (int)sizeof(custom) || lws_hdr_custom_length(wsi, custom, len) < 0 ||
	    lws_hdr_custom_copy(wsi, buf, (int)size, custom, len) < 0)
		return NULL;
	return buf;
}

/* What SigV4 needs from the head, read now: the body comes after it. */
static bool read_signing_headers(struct lws *wsi, struct http_session *h)
{
	struct http_request *r = &h->req;
	int n = lws_hdr_total_length(wsi, WSI_TOKEN_HTTP_AUTHORIZATION);
	if (n > SIGV4_AUTHORIZATION_MAX) {
		http_refuse(false, &h->reply, 400, "IncompleteSignatureException",
			    "Authorization header is longer than %d bytes.", SIGV4_AUTHORIZATION_MAX);
		return false;
	}
	r->security_token = lws_hdr_custom_length(wsi, "x-amz-security-token:", 21) >= 0;
	int date_len = lws_hdr_custom_length(wsi, "x-amz-date:", 11);
	r->has_amz_date = date_len >= 0;
	if (date_len >= (int)sizeof(r->amz_date))
		snprintf(r->amz_date, sizeof(r->amz_date), "(too long)");
	else if (date_len >= 0)
		lws_hdr_custom_copy(wsi, r->amz_date, sizeof(r->amz_date), "x-amz-date:", 11);
	if (n <= 0)
		return true;
	r->authorization = malloc((size_t)n + 1);
	if (!r->authorization || lws_hdr_copy(wsi, r->authorization, n + 1,
					      WSI_TOKEN_HTTP_AUTHORIZATION) < 0) {
		http_refuse(false, &h->reply, 500, "InternalFailure", "out of memory");
		return false;
	}
	struct sigv4_authorization a;
	char why[512];
	/* One that does not parse is refused with the parser's reason once the body is read. */
	if (sigv4_parse_authorization(r->authorization, &a, why, sizeof(why)) == 0)
		sigv4_canonical_headers(&a, header_value, wsi, &r->canonical_headers);
	return true;
}

static int start_request(struct lws *wsi, struct http_session *h, const char *uri)
{
	memset(h, 0, sizeof(*h));
	h->wsi = wsi;
	h->req.tls = lws_is_ssl(wsi);
	lws_get_peer_simple(wsi, h->req.peer, sizeof(h->req.peer));
	bool post = lws_hdr_total_length(wsi, WSI_TOKEN_POST_URI) > 0;
	if (!post && lws_hdr_total_length(wsi, WSI_TOKEN_GET_URI) > 0 && !strcmp(uri, "/metrics")) {
		h->req.is_metrics = true;
		h->answered = true;
		http_answer(hub_server_http_front(wsi), &h->req, &h->reply);
		return send_headers(wsi, h);
	}
	if (!post || (strcmp(uri, "/") && strcmp(uri, "/v1/register"))) {
		http_refuse(false, &h->reply, 404, "NotFound",
			    "POST / or POST /v1/register (or GET /metrics)");
		return answer_early(wsi, h, false);
	}
	h->req.is_register = strcmp(uri, "/v1/register") == 0;
	if (!read_content_length(wsi, h))
		return answer_early(wsi, h, true);
	if (!h->req.is_register && (!read_target(wsi, h) || !read_signing_headers(wsi, h)))
		return answer_early(wsi, h, false);
	lws_hdr_copy(wsi, h->req.host, sizeof(h->req.host), WSI_TOKEN_HOST);
	if (h->content_length > 0)
		lws_sul_schedule(lws_get_context(wsi), 0, &h->body_wait, body_overdue,
				 HTTP_BODY_WAIT_US);
	return 0;
}

static int receive_body(struct lws *wsi, struct http_session *h, const void *in, size_t len)
{
	if (h->answered || len == 0)
		return 0;
	/* libwebsockets hands over no more than Content-Length, itself at most HTTP_BODY_MAX. */
	if (h->size + len > HTTP_BODY_MAX)
		return -1;
	char *nb = realloc(h->body, h->size + len + 1);
	if (!nb)
		return -1;
	memcpy(nb + h->size, in, len);
	h->body = nb;
	h->size += len;
	h->body[h->size] = '\0';
	lws_sul_schedule(lws_get_context(wsi), 0, &h->body_wait, body_overdue, HTTP_BODY_WAIT_US);
	return 0;
}

static int body_complete(struct lws *wsi, struct http_session *h)
{
	if (h->answered)
		return 0;
	lws_sul_cancel(&h->body_wait);
	h->answered = true;
	h->req.body = h->body ? h->body : "";
	h->req.size = h->size;
	http_answer(hub_server_http_front(wsi), &h->req, &h->reply);
	return send_headers(wsi, h);
}

static int send_body(struct lws *wsi, struct http_session *h)
{
	if (!h->reply.body)
		return -1;
	size_t n = strlen(h->reply.body);
	unsigned char *buf = malloc(LWS_PRE + n + 1);
	if (!buf)
		return -1;
	memcpy(buf + LWS_PRE, h->reply.body, n);
	int w = lws_write(wsi, buf + LWS_PRE, n, LWS_WRITE_HTTP_FINAL);
	free(buf);
	http_reply_release(&h->reply);
	if (w < (int)n || h->close_after || lws_http_transaction_completed(wsi))
		return -1;
	return 0;
}

static void end_session(struct http_session *h)
{
	lws_sul_cancel(&h->body_wait);
	free(h->body);
	h->body = NULL;
	http_request_release(&h->req);
	http_reply_release(&h->reply);
}

/* HTTP/2 cannot carry the operator API through libwebsockets 4.1.6 (docs/architecture.md), so
 * an h2c upgrade is declined and the request goes on as HTTP/1.1, as RFC 9110 lets a server
 * do. libwebsockets hands over the Upgrade header's own bytes and compares them again once
 * the callback returns: blanked, they ask for no upgrade. */
static void decline_h2c(char *upgrade)
{
	if (upgrade && !strcasecmp(upgrade, "h2c"))
		upgrade[0] = '\0';
}

int http_request_callback(struct lws *wsi, enum lws_callback_reasons reason, void *user, void *in,
			  size_t len)
{
	struct http_session *h = user;
	switch (reason) {
	case LWS_CALLBACK_HTTP_CONFIRM_UPGRADE:
		decline_h2c(in);
		return 0;
	case LWS_CALLBACK_OPENSSL_LOAD_EXTRA_SERVER_VERIFY_CERTS:
		/* The listener's SSL_CTX, made: kept for certificate reloads (hub/tls_reload.h). */
		hub_server_tls_made(wsi, user);
		return 0;
	case LWS_CALLBACK_HTTP:
		return start_request(wsi, h, in);
	case LWS_CALLBACK_HTTP_BODY:
		return receive_body(wsi, h, in, len);
	case LWS_CALLBACK_HTTP_BODY_COMPLETION:
		return body_complete(wsi, h);
	case LWS_CALLBACK_HTTP_WRITEABLE:
		return send_body(wsi, h);
	case LWS_CALLBACK_CLOSED_HTTP:
	case LWS_CALLBACK_HTTP_DROP_PROTOCOL:
		if (h)
			end_session(h);
		return 0;
	default:
		break;
	}
	return lws_callback_http_dummy(wsi, reason, user, in, len);
}
