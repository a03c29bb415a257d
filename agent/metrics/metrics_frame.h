/* The metrics frame (agent -> hub, best effort, docs/protocol.md): one batch of samples with
 * its id, the run it belongs to, and the count of samples dropped for lack of room. */
#pragma once

#include <stddef.h>
#include <stdint.h>

#include "agent/metrics/metrics_buffer.h"

/* Frame text of batch ID, its samples FIRST..FIRST+N-1 of B, for the agent run RUN (caller
 * frees); NULL when out of memory. */
char *metrics_frame(const struct metrics_buffer *b, const char *run, uint64_t id, size_t first,
		    size_t n);
