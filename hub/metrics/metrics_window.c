#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hub/metrics/metrics_window.h"
#include "protocol/json_value.h"

#define BUCKETS 4096
#define RUN_MAX 64
#define NAME_MAX_BYTES 512

struct series {
	struct series *next;
	char *node_id, *task_arn, *container;
	double updated; /* the hub's clock */
	struct metrics_point points[METRICS_WINDOW_SAMPLES];
	size_t first, count;
};

struct node_batches {
	struct node_batches *next;
	char node_id[64];
	char run[RUN_MAX + 1];
	uint64_t last_batch;
	uint64_t dropped;
};

struct metrics_window {
	struct series *buckets[BUCKETS];
	struct node_batches *nodes[BUCKETS];
	size_t n_series;
	uint64_t refused;
};

static uint32_t hash(const char *a, const char *b, const char *c)
{
	uint32_t h = 2166136261u;
	const char *parts[3] = { a, b, c };
	for (int i = 0; i < 3; i++) {
		for (const char *p = parts[i]; p && *p; p++)
			h = (h ^ (uint8_t)*p) * 16777619u;
		h = (h ^ 0xff) * 16777619u;
	}
	return h % BUCKETS;
}

struct metrics_window *metrics_window_new(void)
{
	return calloc(1, sizeof(struct metrics_window));
}

static void series_free(struct series *s)
{
	free(s->node_id);
	free(s->task_arn);
	free(s->container);
	free(s);
}

void metrics_window_free(struct metrics_window *w)
{
	if (!w)
		return;
	for (size_t i = 0; i < BUCKETS; i++) {
		while (w->buckets[i]) {
			struct series *s = w->buckets[i];
			w->buckets[i] = s->next;
			series_free(s);
		}
		while (w->nodes[i]) {
			struct node_batches *n = w->nodes[i];
			w->nodes[i] = n->next;
			free(n);
		}
	}
	free(w);
}

static struct node_batches *node_of(const struct metrics_window *w, const char *node_id)
{
	for (struct node_batches *n = w->nodes[hash(node_id, NULL, NULL)]; n; n = n->next)
		if (!strcmp(n->node_id, node_id))
			return n;
	return NULL;
}

static struct series *series_of(struct metrics_window *w, const char *node_id,
				const char *task_arn, const char *container, bool create)
{
	uint32_t h = hash(node_id, task_arn, container);
	for (struct series *s = w->buckets[h]; s; s = s->next)
		if (!strcmp(s->node_id, node_id) && !strcmp(s->task_arn, task_arn) &&
		    !strcmp(s->container, container))
			return s;
	if (!create)
		return NULL;
	if (w->n_series >= METRICS_WINDOW_MAX_SERIES) {
		w->refused++;
		return NULL;
	}
	struct series *s = calloc(1, sizeof(*s));
	if (!s)
		return NULL;
	s->node_id = strdup(node_id);
	s->task_arn = strdup(task_arn);
	s->container = strdup(container);
	if (!s->node_id || !s->task_arn || !s->container) {
		series_free(s);
		return NULL;
	}
	s->next = w->buckets[h];
	w->buckets[h] = s;
	w->n_series++;
	return s;
}

static const char *bounded_string(const cJSON *o, const char *name)
{
	const char *v = json_string_member(o, name);
	return v && *v && strlen(v) <= NAME_MAX_BYTES ? v : NULL;
}

/* A sample of the frame as a point; false with WHY. */
static bool read_point(const cJSON *s, struct metrics_point *ret, char *why, size_t why_size)
{
	const cJSON *at = cJSON_GetObjectItemCaseSensitive(s, "at");
	if (!cJSON_IsNumber(at) || !(at->valuedouble >= 0)) {
		snprintf(why, why_size, "metrics: samples[].at must be a number of seconds");
		return false;
	}
	*ret = (struct metrics_point){ .at = at->valuedouble };
	for (int m = 0; m < CONTAINER_METRIC_COUNT; m++) {
		const cJSON *v = cJSON_GetObjectItemCaseSensitive(s, container_metric_defs[m].field);
		if (!v)
			continue;
		if (!json_is_unsigned_integer(v)) {
			snprintf(why, why_size, "metrics: samples[].%s must be an integer from 0",
				 container_metric_defs[m].field);
			return false;
		}
		ret->has[m] = true;
		ret->value[m] = (uint64_t)v->valuedouble;
	}
	return true;
}

static int check_samples(const cJSON *samples, char *why, size_t why_size)
{
	if (!cJSON_IsArray(samples) || cJSON_GetArraySize(samples) > METRICS_FRAME_MAX_SAMPLES) {
		snprintf(why, why_size, "metrics: samples must be an array of at most %d",
			 METRICS_FRAME_MAX_SAMPLES);
		return -EINVAL;
	}
	const cJSON *s;
	cJSON_ArrayForEach(s, samples)
	{
		struct metrics_point p;
		if (!bounded_string(s, "task_arn") || !bounded_string(s, "container")) {
			snprintf(why, why_size, "metrics: samples[] need task_arn and container,"
				 " strings of 1 to %d bytes", NAME_MAX_BYTES);
			return -EINVAL;
		}
		if (!read_point(s, &p, why, why_size))
			return -EINVAL;
	}
	return 0;
}

static void add_point(struct metrics_window *w, const char *node_id, const cJSON *s, double now)
{
	struct metrics_point p;
	char why[8];
	if (!read_point(s, &p, why, sizeof(why)))
		return;
	struct series *ser = series_of(w, node_id, json_string_member(s, "task_arn"),
				       json_string_member(s, "container"), true);
	if (!ser)
		return;
	if (ser->count && !(p.at > ser->points[(ser->first + ser->count - 1) % METRICS_WINDOW_SAMPLES].at))
		return; /* not newer than what the series holds: applied already */
	if (ser->count == METRICS_WINDOW_SAMPLES) {
		ser->first = (ser->first + 1) % METRICS_WINDOW_SAMPLES;
		ser->count--;
	}
	ser->points[(ser->first + ser->count) % METRICS_WINDOW_SAMPLES] = p;
	ser->count++;
	ser->updated = now;
}

static struct node_batches *node_add(struct metrics_window *w, const char *node_id)
{
	struct node_batches *n = node_of(w, node_id);
	if (n)
		return n;
	n = calloc(1, sizeof(*n));
	if (!n)
		return NULL;
	snprintf(n->node_id, sizeof(n->node_id), "%s", node_id);
	uint32_t h = hash(node_id, NULL, NULL);
	n->next = w->nodes[h];
	w->nodes[h] = n;
	return n;
}

int metrics_window_apply(struct metrics_window *w, const char *node_id, const cJSON *frame,
			 double now, uint64_t *ret_ack, char *why, size_t why_size)
{
	*ret_ack = 0;
	const cJSON *batch = cJSON_GetObjectItemCaseSensitive(frame, "batch");
	const cJSON *dropped = cJSON_GetObjectItemCaseSensitive(frame, "dropped");
	const char *run = json_string_member(frame, "run");
	if (!json_is_unsigned_integer(batch) || batch->valuedouble < 1) {
		snprintf(why, why_size, "metrics: batch must be an integer from 1");
		return -EINVAL;
	}
	*ret_ack = (uint64_t)batch->valuedouble;
	if (!run || !*run || strlen(run) > RUN_MAX) {
		snprintf(why, why_size, "metrics: run must be a string of 1 to %d bytes", RUN_MAX);
		return -EINVAL;
	}
	if (dropped && !json_is_unsigned_integer(dropped)) {
		snprintf(why, why_size, "metrics: dropped must be an integer from 0");
		return -EINVAL;
	}
	const cJSON *samples = cJSON_GetObjectItemCaseSensitive(frame, "samples");
	int r = check_samples(samples, why, why_size);
	if (r < 0)
		return r;
	struct node_batches *n = node_add(w, node_id);
	if (!n)
		return -ENOMEM;
	if (!strcmp(n->run, run) && *ret_ack <= n->last_batch)
		return 1;
	snprintf(n->run, sizeof(n->run), "%s", run);
	n->last_batch = *ret_ack;
	if (dropped)
		n->dropped = (uint64_t)dropped->valuedouble;
	const cJSON *s;
	cJSON_ArrayForEach(s, samples)
		add_point(w, node_id, s, now);
	return 0;
}

void metrics_window_expire(struct metrics_window *w, double now)
{
	for (size_t i = 0; i < BUCKETS; i++) {
		struct series **p = &w->buckets[i];
		while (*p) {
			struct series *s = *p;
			if (s->updated >= now - METRICS_WINDOW_SECONDS) {
				p = &s->next;
				continue;
			}
			*p = s->next;
			series_free(s);
			w->n_series--;
		}
	}
}

void metrics_window_foreach(const struct metrics_window *w, metrics_series_fn fn,
			    void *userdata)
{
	for (size_t i = 0; i < BUCKETS; i++)
		for (const struct series *s = w->buckets[i]; s; s = s->next)
			if (s->count)
				fn(userdata, s->node_id, s->task_arn, s->container,
				   &s->points[(s->first + s->count - 1) % METRICS_WINDOW_SAMPLES],
				   s->count);
}

uint64_t metrics_window_node_dropped(const struct metrics_window *w, const char *node_id)
{
	const struct node_batches *n = node_of(w, node_id);
	return n ? n->dropped : 0;
}

uint64_t metrics_window_refused(const struct metrics_window *w)
{
	return w->refused;
}
