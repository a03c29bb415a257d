/* The hub's HTTP requests on its one listener: the operator API (POST / with X-Amz-Target)
 * and registration (POST /v1/register), as the libwebsockets protocol that the server puts
 * first in its protocols table. */
#pragma once

#include <libwebsockets.h>

int http_request_callback(struct lws *wsi, enum lws_callback_reasons reason, void *user,
			  void *in, size_t len);

/* The only protocol offered in TLS's ALPN: libwebsockets 4.1.6 cannot read the operator API's
 * X-Amz-* headers from an HTTP/2 stream (docs/architecture.md), so HTTP/2 is never agreed. */
#define HTTP_REQUEST_ALPN "http/1.1"

/* Per-connection data libwebsockets keeps for the protocol. */
#define HTTP_REQUEST_SESSION_SIZE 1024

#define HTTP_REQUEST_PROTOCOL \
	{ "http", http_request_callback, HTTP_REQUEST_SESSION_SIZE, 0, 0, NULL, 0 }
