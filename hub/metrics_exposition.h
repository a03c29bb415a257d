/* GET /metrics: the fleet as Prometheus text exposition (format 0.0.4). Container instances by
 * cluster and status and connected, tasks by cluster and status, each node (connected, running
 * tasks, registered and remaining CPU and memory as DescribeContainerInstances counts them,
 * health OK), the latest sample of each task container, the agent links' counters and the
 * operator API's requests by operation and status. */
#pragma once

#include "hub/http_front.h"

/* *ret gets the text (caller frees). Negative errno with ERR when the store cannot be read. */
int hub_metrics_text(struct http_front *front, double now, char **ret, struct error *err);
