#include <errno.h>
#include <stdlib.h>

#include "bench/loadgen/wave_stats.h"

int event_times_add(struct event_times *t, int64_t us)
{
	if (t->n == t->cap) {
		size_t cap = t->cap ? t->cap * 2 : 1024;
		int64_t *grown = realloc(t->us, cap * sizeof(*grown));
		if (!grown)
			return -ENOMEM;
		t->us = grown;
		t->cap = cap;
	}
	t->us[t->n++] = us;
	return 0;
}

void event_times_clear(struct event_times *t)
{
	t->n = 0;
}

void event_times_release(struct event_times *t)
{
	free(t->us);
	*t = (struct event_times){ 0 };
}

double event_times_peak_rate(const struct event_times *t, int64_t window_us)
{
	size_t best = 0, first = 0;
	/* Two pointers: the window ends at each event in turn. */
	for (size_t last = 0; last < t->n; last++) {
		while (t->us[last] - t->us[first] >= window_us)
			first++;
		if (last - first + 1 > best)
			best = last - first + 1;
	}
	return window_us > 0 ? (double)best * 1e6 / (double)window_us : 0;
}
