/* STATE_FOLDER/health.json: a container's health as its monitor last decided it, written
 * (atomically, replaced) after every check that changed anything and read by the agent. */
#pragma once

#include <stdint.h>

#include "common/error.h"
#include "container/health_status.h"

/* The last bytes of a check's stdout and stderr that are kept (its end says why it failed). */
#define HEALTH_OUTPUT_MAX 1024

struct health_record {
	enum container_health status;
	uint32_t failures;     /* failures in a row that counted */
	uint64_t checks;       /* checks run since the container started */
	int64_t checked_at_ms; /* wall clock (ms since the epoch) of the last check's end */
	/* The output of the last failing check, at most HEALTH_OUTPUT_MAX bytes of valid UTF-8
	 * with control characters but newline and tab replaced; NULL before any failure. */
	char *output;
};

int health_record_write(const char *path, const struct health_record *rec, struct error *err);
/* -ENOENT when no check has ended yet. Refuses a malformed record (-EINVAL). */
int health_record_read(const char *path, struct health_record *ret, struct error *err);
/* Parse the record's text (for the reader and the fuzzer). */
int health_record_parse(const char *text, struct health_record *ret, struct error *err);
void health_record_done(struct health_record *rec);

/* OUTPUT (SIZE bytes, any content) made fit for the record and a JSON string: cut to its last
 * HEALTH_OUTPUT_MAX bytes at a character boundary, invalid UTF-8 and control characters
 * other than newline and tab replaced by '?'. NULL without memory. */
char *health_output_clean(const char *output, size_t size);
