/* One answer of the local API or the task metadata endpoint: an HTTP status and a JSON body,
 * decided apart from libwebsockets (agent/api/api_server.c only carries it). */
#pragma once

#include <cjson/cJSON.h>

#include "agent/api/api_source.h"

/* The longest path either server reads; longer ones are answered 414. */
#define API_PATH_MAX 512

struct api_answer {
	int status;
	char *body; /* JSON text, owned */
};

enum api_server_kind {
	API_LOCAL,    /* the root-only unix socket: /v1/... */
	API_METADATA, /* the containers' endpoint: /v4/TOKEN/... */
};

/* The answer to METHOD PATH (PATH without its query). Never fails: out of memory is a 500
 * with a fixed body. */
void api_answer(const struct api_source *src, enum api_server_kind kind, const char *method,
		const char *path, struct api_answer *ret);
void api_answer_release(struct api_answer *a);

/* For the handlers: STATUS with {"error": MESSAGE}. */
int api_error(cJSON **ret, int status, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
