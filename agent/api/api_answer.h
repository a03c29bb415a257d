/* One answer of the agent's HTTP servers (the local API, the task metadata endpoint, the node's
 * metrics): an HTTP status and a body, JSON or Prometheus text, decided apart from
 * libwebsockets (agent/api/api_server.c only carries it). */
#pragma once

#include <cjson/cJSON.h>

#include "agent/api/api_source.h"

/* The longest path either server reads; longer ones are answered 414. */
#define API_PATH_MAX 512

#define API_JSON "application/json"
#define API_EXPOSITION "text/plain; version=0.0.4; charset=utf-8"

struct api_answer {
	int status;
	char *body;               /* owned */
	const char *content_type; /* API_JSON or API_EXPOSITION */
};

enum api_server_kind {
	API_LOCAL,    /* the root-only unix socket: /v1/... */
	API_METADATA, /* the containers' endpoint: /v4/TOKEN/... */
	API_METRICS,  /* the node's metrics for a Prometheus on this host, opt-in: /metrics */
};

/* The answer to METHOD PATH (PATH without its query). Never fails: out of memory is a 500
 * with a fixed body. */
void api_answer(const struct api_source *src, enum api_server_kind kind, const char *method,
		const char *path, struct api_answer *ret);
void api_answer_release(struct api_answer *a);

/* For the handlers: STATUS with {"error": MESSAGE}. */
int api_error(cJSON **ret, int status, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
