/* The daemon's metrics: a round of container samples every interval, kept in the bounded
 * buffer until the hub acknowledges their batch, the latest round kept apart for the node's
 * own exposition text. Batches go out after each round while the link is up, and every batch
 * still held goes again after each welcome (same ids: the hub applies an id once). */
#pragma once

#include <stdint.h>

#include "agent/metrics/metrics_buffer.h"
#include "agent/metrics/metrics_sample.h"

struct node_metrics {
	struct metrics_buffer buffer;
	char run[33];                  /* this run's id: batch ids count from 1 within it */
	struct metrics_sample *latest; /* the last round */
	size_t n_latest;
	uint64_t sent_up_to;           /* highest batch id sent on this connection */
};

/* -ENOMEM. */
int node_metrics_init(struct node_metrics *m, size_t capacity);
void node_metrics_release(struct node_metrics *m);

/* Sample TM's containers at AT into the buffer and the latest round. -ENOMEM. */
int node_metrics_round(struct node_metrics *m, const struct task_manager *tm, double at);

/* Send through SEND the batches not yet sent on this connection, forming new ones from the
 * samples not yet in a batch. */
void node_metrics_send(struct node_metrics *m, void (*send)(void *userdata, const char *text),
		       void *userdata);

/* A new connection: every batch held is to be sent again. */
void node_metrics_connected(struct node_metrics *m);

void node_metrics_acked(struct node_metrics *m, uint64_t batch);
