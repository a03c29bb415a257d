#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "agent/metrics/metrics_sample.h"
#include "cgroups/cgroup.h"

_Static_assert(CONTAINER_METRIC_COUNT == 6, "a sample takes every figure of the table");

void metrics_sample_release(struct metrics_sample *s)
{
	free(s->task_arn);
	free(s->container);
	s->task_arn = s->container = NULL;
}

int metrics_sample_copy(const struct metrics_sample *from, struct metrics_sample *to)
{
	*to = *from;
	to->task_arn = strdup(from->task_arn);
	to->container = strdup(from->container);
	if (!to->task_arn || !to->container) {
		metrics_sample_release(to);
		return -ENOMEM;
	}
	return 0;
}

void metrics_samples_free(struct metrics_sample *samples, size_t n)
{
	for (size_t i = 0; samples && i < n; i++)
		metrics_sample_release(&samples[i]);
	free(samples);
}

struct round {
	double at;
	struct metrics_sample *samples;
	size_t n;
};

static int sample_one(void *userdata, const char *task_arn, enum task_status task_status,
		      const char *container, const char *cgroup)
{
	struct round *r = userdata;
	if (task_status == TASK_STOPPED)
		return 0;
	struct cgroup_stats st;
	struct error err = { 0 };
	if (cgroup_read_stats(cgroup, &st, &err) < 0)
		return 0; /* not started yet, or ended meanwhile */
	struct metrics_sample *grown = realloc(r->samples, (r->n + 1) * sizeof(*grown));
	if (!grown)
		return -ENOMEM;
	r->samples = grown;
	struct metrics_sample s = {
		.at = r->at,
		.has = { true, st.has_memory, st.has_memory_peak, st.has_pids, st.has_io, st.has_io },
		.value = { st.cpu_usage_usec, st.memory_current_bytes, st.memory_peak_bytes,
			   st.pids_current, st.io_read_bytes, st.io_write_bytes },
		.task_arn = strdup(task_arn),
		.container = strdup(container),
	};
	if (!s.task_arn || !s.container) {
		metrics_sample_release(&s);
		return -ENOMEM;
	}
	r->samples[r->n++] = s;
	return 0;
}

int metrics_sample_round(const struct task_manager *tm, double at, struct metrics_sample **ret,
			 size_t *ret_n)
{
	struct round r = { .at = at };
	int e = task_manager_foreach_container(tm, sample_one, &r);
	if (e < 0) {
		metrics_samples_free(r.samples, r.n);
		return e;
	}
	*ret = r.samples;
	*ret_n = r.n;
	return 0;
}
