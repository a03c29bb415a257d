#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/random.h>

#include "agent/metrics/metrics_frame.h"
#include "agent/metrics/node_metrics.h"
#include "common/cleanup.h"

int node_metrics_init(struct node_metrics *m, size_t capacity)
{
	*m = (struct node_metrics){ 0 };
	uint8_t bytes[16];
	if (getrandom(bytes, sizeof(bytes), 0) != sizeof(bytes))
		return -errno;
	for (size_t i = 0; i < sizeof(bytes); i++)
		snprintf(m->run + 2 * i, 3, "%02x", bytes[i]);
	return metrics_buffer_init(&m->buffer, capacity);
}

void node_metrics_release(struct node_metrics *m)
{
	metrics_buffer_release(&m->buffer);
	metrics_samples_free(m->latest, m->n_latest);
	m->latest = NULL;
	m->n_latest = 0;
}

int node_metrics_round(struct node_metrics *m, const struct task_manager *tm, double at)
{
	struct metrics_sample *round = NULL, *copy = NULL;
	size_t n = 0;
	int r = metrics_sample_round(tm, at, &round, &n);
	if (r < 0)
		return r;
	copy = calloc(n ? n : 1, sizeof(*copy));
	for (size_t i = 0; copy && i < n; i++)
		if (metrics_sample_copy(&round[i], &copy[i]) < 0) {
			metrics_samples_free(copy, i);
			copy = NULL;
		}
	if (!copy) {
		metrics_samples_free(round, n);
		return -ENOMEM;
	}
	metrics_samples_free(m->latest, m->n_latest);
	m->latest = copy;
	m->n_latest = n;
	metrics_buffer_add(&m->buffer, round, n);
	metrics_samples_free(round, n); /* the strings moved into the buffer */
	return 0;
}

struct sending {
	struct node_metrics *m;
	void (*send)(void *userdata, const char *text);
	void *userdata;
};

static int send_batch(void *userdata, const struct metrics_buffer *b, uint64_t batch,
		      size_t first, size_t n)
{
	struct sending *s = userdata;
	if (batch <= s->m->sent_up_to)
		return 0;
	_cleanup_free_ char *text = metrics_frame(b, s->m->run, batch, first, n);
	if (!text)
		return -ENOMEM;
	s->send(s->userdata, text);
	s->m->sent_up_to = batch;
	return 0;
}

void node_metrics_send(struct node_metrics *m, void (*send)(void *userdata, const char *text),
		       void *userdata)
{
	while (metrics_buffer_new_batch(&m->buffer))
		;
	struct sending s = { m, send, userdata };
	(void)metrics_buffer_foreach_batch(&m->buffer, send_batch, &s);
}

void node_metrics_connected(struct node_metrics *m)
{
	m->sent_up_to = 0;
}

void node_metrics_acked(struct node_metrics *m, uint64_t batch)
{
	metrics_buffer_ack(&m->buffer, batch);
}
