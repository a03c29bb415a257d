/* What the hub answers an HTTP request, decided apart from libwebsockets: the server reads the
 * request into a struct http_request and writes back the struct http_reply, so that the unit
 * tests and the fuzzer decide answers the way the server does. */
#pragma once

#include <stdbool.h>
#include <stddef.h>

#include "hub/http_front.h"

#define HTTP_TARGET_MAX 127 /* longer than any operation's X-Amz-Target */

struct http_request {
	bool is_register;          /* POST /v1/register, else the operator API (POST /) */
	bool is_metrics;           /* GET /metrics */
	char peer[64];             /* the peer's address */
	char target[HTTP_TARGET_MAX + 1]; /* X-Amz-Target, "" when absent */
	char host[256];            /* Host, "" when absent */
	const char *body;
	size_t size;
	bool tls;                  /* it came over HTTPS */
	/* Signing (operator API): owned, NULL or "" when absent. */
	char *authorization;
	char amz_date[32];
	bool has_amz_date, security_token;
	char *canonical_headers;   /* of the headers Authorization signs */
};

/* Free what the request owns. */
void http_request_release(struct http_request *req);

struct http_reply {
	int status;
	char *body;      /* JSON, owned */
	int retry_after; /* seconds, for a Retry-After header; 0 for none */
	const char *content_type; /* NULL: the JSON of the request's kind */
};

/* Decide the answer to a request whose head and body were read whole. */
void http_answer(struct http_front *front, const struct http_request *req,
		 struct http_reply *reply);

/* A refusal in the shape of the request's path: {"__type", "message"} for the operator API,
 * {"error", "message"} for registration. Replaces any body the reply had. */
void http_refuse(bool is_register, struct http_reply *reply, int status, const char *type,
		 const char *fmt, ...) __attribute__((format(printf, 5, 6)));

void http_reply_release(struct http_reply *reply);
