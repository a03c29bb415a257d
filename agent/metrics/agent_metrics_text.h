/* The node's own metrics as Prometheus text exposition: its facts and health (agent/health/)
 * and the latest sample of each of its containers. A renderer only, for a local endpoint to
 * serve (the agent opens no listener of its own here). */
#pragma once

#include <stddef.h>
#include <stdint.h>

#include "agent/health/node_health.h"
#include "agent/metrics/metrics_sample.h"
#include "agent/tasks/task_view.h"

/* *ret gets the text (caller frees); TASKS NULL leaves the tasks out. -ENOMEM. */
int agent_metrics_text(const struct node_health *health, const struct task_status_counts *tasks,
		       const struct metrics_sample *latest, size_t n, char **ret);
