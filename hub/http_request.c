#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "hub/access.h"
#include "hub/api.h"
#include "hub/http_front.h"
#include "hub/http_request.h"
#include "hub/registration.h"
#include "hub/server.h"

#define HTTP_BODY_MAX (64 * 1024)

struct http_session {
	char *body;
	size_t size;
	bool too_large;
	bool is_register;
	char target[128];
	char host[256];
	char *answer;
	int status;
};

_Static_assert(sizeof(struct http_session) <= HTTP_REQUEST_SESSION_SIZE,
	       "HTTP_REQUEST_SESSION_SIZE holds a session");

static char *fault_json(const char *type, const char *message)
{
	cJSON *o = cJSON_CreateObject();
	cJSON_AddStringToObject(o, "__type", type);
	cJSON_AddStringToObject(o, "message", message);
	char *s = cJSON_PrintUnformatted(o);
	cJSON_Delete(o);
	return s;
}

static int send_headers(struct lws *wsi, struct http_session *h)
{
	unsigned char buf[LWS_PRE + 1024], *start = buf + LWS_PRE, *p = start,
					     *end = buf + sizeof(buf) - 1;
	size_t len = h->answer ? strlen(h->answer) : 0;
	const char *type = h->is_register ? "application/json" : "application/x-amz-json-1.1";
	if (lws_add_http_common_headers(wsi, (unsigned int)h->status, type, len, &p, end) ||
	    lws_finalize_write_http_header(wsi, start, &p, end))
		return -1;
	lws_callback_on_writable(wsi);
	return 0;
}

static void answer_request(struct lws *wsi, struct http_session *h)
{
	struct http_front *front = hub_server_http_front(wsi);
	char ip[64] = "";
	lws_get_peer_simple(wsi, ip, sizeof(ip));
	enum hub_access access = hub_access_check(h->is_register, ip, front->dev, front->tls);
	if (access == HUB_ACCESS_REGISTER_NEEDS_TLS) {
		/* Activation codes must not cross a network in clear text. */
		h->status = 403;
		h->answer = strdup("{\"error\":\"InvalidRequest\",\"message\":\"registration"
				   " over plain HTTP is only accepted from loopback with --dev\"}");
	} else if (h->is_register) {
		h->status = registration_handle(front->store, h->body ? h->body : "", h->size,
						h->host[0] ? h->host : NULL, front->tls, &h->answer);
	} else if (access == HUB_ACCESS_OPERATOR_NOT_LOOPBACK) {
		/* Requests are not signed, so only operators on this host are trusted. */
		h->status = 400;
		h->answer = fault_json("AccessDeniedException",
				       "request signing is not available in this version; call the"
				       " hub from loopback");
	} else if (h->too_large) {
		h->status = 413;
		h->answer = fault_json("SerializationException", "request body larger than 64 KiB");
	} else {
		h->status = api_dispatch(front->store, h->target[0] ? h->target : NULL,
					 h->body ? h->body : "", h->size, &h->answer);
	}
	if (h->is_register && h->too_large) {
		free(h->answer);
		h->status = 413;
		h->answer = strdup("{\"error\":\"InvalidRequest\",\"message\":\"body larger than 64 KiB\"}");
	}
}

int http_request_callback(struct lws *wsi, enum lws_callback_reasons reason, void *user, void *in,
			  size_t len)
{
	struct http_session *h = user;
	switch (reason) {
	case LWS_CALLBACK_HTTP: {
		memset(h, 0, sizeof(*h));
		const char *uri = in;
		bool post = lws_hdr_total_length(wsi, WSI_TOKEN_POST_URI) > 0;
		if (!post || (strcmp(uri, "/") && strcmp(uri, "/v1/register"))) {
			h->status = 404;
			h->answer = fault_json("NotFound", "POST / or POST /v1/register");
			return send_headers(wsi, h);
		}
		h->is_register = strcmp(uri, "/v1/register") == 0;
		lws_hdr_custom_copy(wsi, h->target, sizeof(h->target), "x-amz-target:", 13);
		/* HTTP/2 (what curl negotiates over TLS) names the host in :authority. */
		if (lws_hdr_copy(wsi, h->host, sizeof(h->host), WSI_TOKEN_HOST) <= 0)
			lws_hdr_copy(wsi, h->host, sizeof(h->host), WSI_TOKEN_HTTP_COLON_AUTHORITY);
		char cl[32] = "";
		if (lws_hdr_copy(wsi, cl, sizeof(cl), WSI_TOKEN_HTTP_CONTENT_LENGTH) > 0 &&
		    strtoull(cl, NULL, 10) > HTTP_BODY_MAX)
			h->too_large = true;
		return 0;
	}
	case LWS_CALLBACK_HTTP_BODY:
		if (h->too_large || h->size + len > HTTP_BODY_MAX) {
			h->too_large = true;
			return 0;
		}
		{
			char *nb = realloc(h->body, h->size + len + 1);
			if (!nb)
				return -1;
			memcpy(nb + h->size, in, len);
			h->body = nb;
			h->size += len;
			h->body[h->size] = '\0';
		}
		return 0;
	case LWS_CALLBACK_HTTP_BODY_COMPLETION:
		answer_request(wsi, h);
		return send_headers(wsi, h);
	case LWS_CALLBACK_HTTP_WRITEABLE: {
		if (!h->answer)
			return -1;
		size_t n = strlen(h->answer);
		unsigned char *buf = malloc(LWS_PRE + n + 1);
		if (!buf)
			return -1;
		memcpy(buf + LWS_PRE, h->answer, n);
		int w = lws_write(wsi, buf + LWS_PRE, n, LWS_WRITE_HTTP_FINAL);
		free(buf);
		free(h->answer);
		h->answer = NULL;
		if (w < (int)n || lws_http_transaction_completed(wsi))
			return -1;
		return 0;
	}
	case LWS_CALLBACK_CLOSED_HTTP:
	case LWS_CALLBACK_HTTP_DROP_PROTOCOL:
		if (h) {
			free(h->body);
			free(h->answer);
			h->body = h->answer = NULL;
		}
		return 0;
	default:
		break;
	}
	return lws_callback_http_dummy(wsi, reason, user, in, len);
}
