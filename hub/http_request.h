/* The hub's HTTP requests on its one listener: the operator API (POST / with X-Amz-Target)
 * and registration (POST /v1/register), as the libwebsockets protocol that the server puts
 * first in its protocols table. */
#pragma once

#include <libwebsockets.h>

int http_request_callback(struct lws *wsi, enum lws_callback_reasons reason, void *user,
			  void *in, size_t len);

/* Per-connection data libwebsockets keeps for the protocol. */
#define HTTP_REQUEST_SESSION_SIZE 512

#define HTTP_REQUEST_PROTOCOL \
	{ "http", http_request_callback, HTTP_REQUEST_SESSION_SIZE, 0, 0, NULL, 0 }
