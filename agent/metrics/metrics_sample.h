/* One sample of a container's use of the machine, read from its cgroup's files through the
 * chosen cgroup driver's paths (cgroups/cgroup.h: cgroup_read_stats). */
#pragma once

#include <stdbool.h>
#include <stdint.h>

#include "agent/tasks/task_manager.h"
#include "protocol/container_metrics.h"

/* How often the daemon samples its containers, unless TETHER_METRICS_INTERVAL says. */
#define METRICS_INTERVAL_DEFAULT_S 20

struct metrics_sample {
	char *task_arn, *container; /* owned */
	double at;                  /* this node's clock, seconds since the epoch */
	/* A figure whose controller is not enabled for the cgroup is not there (has false). */
	bool has[CONTAINER_METRIC_COUNT];
	uint64_t value[CONTAINER_METRIC_COUNT];
	uint64_t batch; /* the batch it was sent in (agent/metrics/metrics_buffer.h); 0: not yet */
};

void metrics_sample_release(struct metrics_sample *s);
/* A deep copy; -ENOMEM. */
int metrics_sample_copy(const struct metrics_sample *from, struct metrics_sample *to);

/* A round: a sample of every container of TM that has a cgroup, taken at AT. *ret is an array
 * of *ret_n samples (free with metrics_samples_free). A container whose cgroup cannot be read
 * (it ended meanwhile) is left out. */
int metrics_sample_round(const struct task_manager *tm, double at, struct metrics_sample **ret,
			 size_t *ret_n);
void metrics_samples_free(struct metrics_sample *samples, size_t n);
