/* Operator API requests counted by operation and HTTP status, for GET /metrics. Only
 * operations the hub knows get their own name ("unknown" for the rest), so a client cannot
 * grow the table with made-up targets. */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define API_COUNTERS_MAX 512

struct api_counter {
	char operation[64];
	int status;
	uint64_t count;
};

struct api_counters {
	struct api_counter entries[API_COUNTERS_MAX];
	size_t n;
	uint64_t uncounted; /* past API_COUNTERS_MAX distinct pairs */
};

/* TARGET: the X-Amz-Target ("" or NULL when absent); KNOWN: the API has that operation. */
void api_counters_add(struct api_counters *c, const char *target, bool known, int status);
