/* The tasks of a service, as the service scheduler (hub/services/) reads them: a service's
 * tasks carry the group "service:NAME" and the startedBy of their deployment. */
#pragma once

#include <stdbool.h>

#include "hub/store/store.h"

/* One task of a service that is still desired RUNNING. */
struct service_task {
	const char *id, *started_by, *node_id, *last_status;
	const char *health_status; /* "" when never reported */
	const char *node_status;   /* ACTIVE, DRAINING or INACTIVE */
	bool node_connected;
};

/* Hands fn each task of cluster's group still desired RUNNING, oldest first (the pointers
 * live until fn returns); a negative errno on a store failure. */
int service_tasks_each(struct hub_store *s, const char *cluster, const char *group,
		       void (*fn)(const struct service_task *t, void *data), void *data,
		       struct error *err);

/* How many of the group's tasks (of started_by only, when not NULL) are RUNNING, and how many
 * PROVISIONING or PENDING: those still desired RUNNING, as DescribeServices counts them, or
 * with_stopping, those asked to stop that have not yet stopped too. */
int service_tasks_count(struct hub_store *s, const char *cluster, const char *group,
			const char *started_by, bool with_stopping, long long *ret_running,
			long long *ret_pending, struct error *err);

/* How many tasks started_by started that stopped on their own or failed their health checks
 * (not stopped by the operator or for a deployment): the circuit breaker's failures. */
long long service_tasks_failed(struct hub_store *s, const char *cluster, const char *group,
			       const char *started_by, struct error *err);
