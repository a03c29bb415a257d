/* The samples the hub has not yet acknowledged, in the order they were taken, at most
 * METRICS_BUFFER_MAX of them: when a round would pass that, the oldest samples are dropped
 * first (and counted), so an agent long offline keeps its most recent hours, not its first.
 * Samples go to the hub in batches, each with an id that grows by one (agent/metrics/
 * metrics_frame.h); a sample keeps the id of the batch that carried it until the hub
 * acknowledges that batch (or a later one), and only then is dropped, so an ack that was lost
 * leads to the same batch, with the same id, being sent again after the next welcome. */
#pragma once

#include <stddef.h>
#include <stdint.h>

#include "agent/metrics/metrics_sample.h"

/* 4,096 samples: with ten containers sampled every 20 s, more than two hours offline. */
#define METRICS_BUFFER_MAX 4096
/* Samples in one frame: far below FRAME_MAX_SIZE at about 300 bytes a sample. */
#define METRICS_BATCH_MAX 256

struct metrics_buffer {
	struct metrics_sample *ring; /* METRICS_BUFFER_MAX slots */
	size_t first, count;
	size_t capacity;
	uint64_t next_batch;  /* the id the next batch gets; ids start at 1 */
	uint64_t dropped;     /* samples dropped for lack of room since the start */
};

/* CAPACITY samples at most (METRICS_BUFFER_MAX in the daemon; tests use fewer). -ENOMEM. */
int metrics_buffer_init(struct metrics_buffer *b, size_t capacity);
void metrics_buffer_release(struct metrics_buffer *b);

/* Take the N samples of a round (moved in: the caller's array keeps no strings). */
void metrics_buffer_add(struct metrics_buffer *b, struct metrics_sample *samples, size_t n);

/* Give the next batch id to up to METRICS_BATCH_MAX samples not yet in a batch. Returns the
 * id, or 0 when every sample is in a batch already. */
uint64_t metrics_buffer_new_batch(struct metrics_buffer *b);

/* The I-th sample held, oldest first (I < count). */
const struct metrics_sample *metrics_buffer_at(const struct metrics_buffer *b, size_t i);

/* Every batch still held (sent, not acknowledged), lowest id first: FN gets the id and where
 * its N samples are (metrics_buffer_at FIRST to FIRST + N - 1). A negative return stops the
 * walk. */
typedef int (*metrics_batch_fn)(void *userdata, const struct metrics_buffer *b, uint64_t batch,
				size_t first, size_t n);
int metrics_buffer_foreach_batch(const struct metrics_buffer *b, metrics_batch_fn fn,
				 void *userdata);

/* The hub applied batch ID (and so every batch before it): their samples go. */
void metrics_buffer_ack(struct metrics_buffer *b, uint64_t id);
