/* Prometheus text exposition (format 0.0.4), written into a growing buffer: a family's HELP
 * and TYPE lines, then its samples with their labels escaped as the format asks (backslash,
 * double quote, newline). Shared by the hub's GET /metrics and the agent's own renderer. */
#pragma once

#include <stdbool.h>
#include <stddef.h>

#define EXPOSITION_CONTENT_TYPE "text/plain; version=0.0.4; charset=utf-8"

struct exposition {
	char *text;
	size_t len, size;
	bool failed; /* out of memory: everything written after is dropped */
};

/* "# HELP NAME HELP" and "# TYPE NAME TYPE" (TYPE: "gauge" or "counter"). */
void exposition_family(struct exposition *e, const char *name, const char *type,
		       const char *help);

/* One sample: NAME{LABELS} VALUE, LABELS a NULL-terminated list of name, value pairs (or
 * NULL). */
void exposition_sample(struct exposition *e, const char *name, const char *const *labels,
		       double value);

/* The text (caller frees), or -ENOMEM when anything failed; the writer is emptied. */
int exposition_finish(struct exposition *e, char **ret);
