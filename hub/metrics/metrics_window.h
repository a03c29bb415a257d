/* The containers' recent metrics as nodes report them (the metrics frame, docs/protocol.md),
 * kept in memory: per task container the last METRICS_WINDOW_SAMPLES samples, a series
 * forgotten once no sample came for METRICS_WINDOW_SECONDS. Memory and not SQLite: samples
 * are best effort and arrive every 20 s from every container of the fleet, and writing each
 * would cost the hub a transaction per batch per node for figures that are stale in a minute;
 * after a hub restart the window fills again within one sampling interval. GET /metrics shows
 * the latest sample of each series.
 *
 * Batches are applied once: per node the window remembers the agent run and the highest batch
 * id applied in it, and a batch at or below it (sent again because its ack was lost) is acked
 * without being applied. A new run of the agent counts from 1 again. Should a hub restart
 * forget that, a series still takes no sample older than its newest, so nothing is counted
 * twice. */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <cjson/cJSON.h>

#include "protocol/container_metrics.h"

#define METRICS_WINDOW_SAMPLES 45     /* 15 minutes at the agent's default 20 s */
#define METRICS_WINDOW_SECONDS 900
#define METRICS_WINDOW_MAX_SERIES 32768 /* about 120 MB of points at most */
#define METRICS_FRAME_MAX_SAMPLES 1024

struct metrics_point {
	double at; /* the agent's clock */
	bool has[CONTAINER_METRIC_COUNT];
	uint64_t value[CONTAINER_METRIC_COUNT];
};

struct metrics_window;

struct metrics_window *metrics_window_new(void);
void metrics_window_free(struct metrics_window *w);

/* Apply a metrics frame FRAME of NODE_ID received at NOW (the hub's clock). Returns 0 when
 * applied, 1 when the batch was applied before, -EINVAL with WHY (naming the field) when the
 * frame is not valid, -ENOMEM. *RET_ACK is the batch id to acknowledge, 0 for none (a frame
 * whose batch id cannot be read; a valid id of a frame otherwise invalid is acked, since
 * sending it again cannot mend it). */
int metrics_window_apply(struct metrics_window *w, const char *node_id, const cJSON *frame,
			 double now, uint64_t *ret_ack, char *why, size_t why_size);

/* Forget series not updated since NOW - METRICS_WINDOW_SECONDS. */
void metrics_window_expire(struct metrics_window *w, double now);

/* The latest point of every series. */
typedef void (*metrics_series_fn)(void *userdata, const char *node_id, const char *task_arn,
				  const char *container, const struct metrics_point *latest,
				  size_t n_points);
void metrics_window_foreach(const struct metrics_window *w, metrics_series_fn fn,
			    void *userdata);

/* Samples a node said it dropped for lack of room (its current run), and samples the window
 * refused (the series limit). */
uint64_t metrics_window_node_dropped(const struct metrics_window *w, const char *node_id);
uint64_t metrics_window_refused(const struct metrics_window *w);
