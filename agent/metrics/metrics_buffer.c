#include <errno.h>
#include <stdlib.h>

#include "agent/metrics/metrics_buffer.h"

int metrics_buffer_init(struct metrics_buffer *b, size_t capacity)
{
	*b = (struct metrics_buffer){ .capacity = capacity, .next_batch = 1 };
	b->ring = calloc(capacity ? capacity : 1, sizeof(*b->ring));
	return b->ring ? 0 : -ENOMEM;
}

static struct metrics_sample *at(const struct metrics_buffer *b, size_t i)
{
	return &b->ring[(b->first + i) % b->capacity];
}

static void drop_first(struct metrics_buffer *b)
{
	metrics_sample_release(at(b, 0));
	b->first = (b->first + 1) % b->capacity;
	b->count--;
}

void metrics_buffer_release(struct metrics_buffer *b)
{
	while (b->count)
		drop_first(b);
	free(b->ring);
	b->ring = NULL;
}

void metrics_buffer_add(struct metrics_buffer *b, struct metrics_sample *samples, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		if (b->capacity == 0) {
			metrics_sample_release(&samples[i]);
			b->dropped++;
			continue;
		}
		if (b->count == b->capacity) {
			drop_first(b);
			b->dropped++;
		}
		*at(b, b->count) = samples[i];
		at(b, b->count)->batch = 0;
		b->count++;
		samples[i].task_arn = samples[i].container = NULL;
	}
}

uint64_t metrics_buffer_new_batch(struct metrics_buffer *b)
{
	size_t i = 0;
	while (i < b->count && at(b, i)->batch)
		i++;
	if (i == b->count)
		return 0;
	uint64_t id = b->next_batch++;
	for (size_t taken = 0; i < b->count && taken < METRICS_BATCH_MAX; i++, taken++)
		at(b, i)->batch = id;
	return id;
}

const struct metrics_sample *metrics_buffer_at(const struct metrics_buffer *b, size_t i)
{
	return at(b, i);
}

int metrics_buffer_foreach_batch(const struct metrics_buffer *b, metrics_batch_fn fn,
				 void *userdata)
{
	size_t i = 0;
	while (i < b->count && at(b, i)->batch) {
		uint64_t id = at(b, i)->batch;
		size_t n = 0;
		while (i + n < b->count && at(b, i + n)->batch == id)
			n++;
		int r = fn(userdata, b, id, i, n);
		if (r < 0)
			return r;
		i += n;
	}
	return 0;
}

void metrics_buffer_ack(struct metrics_buffer *b, uint64_t id)
{
	while (b->count && at(b, 0)->batch && at(b, 0)->batch <= id)
		drop_first(b);
}
