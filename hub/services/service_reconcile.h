/* The service scheduler's pass: run every second or two from the hub's event loop, it brings
 * each service towards what it asks for (docs/architecture.md, "The service scheduler"):
 * starts missing tasks, replaces stopped and UNHEALTHY ones, rolls deployments within the
 * service's percents, trips the circuit breaker, keeps a DAEMON task on every instance, moves
 * tasks off DRAINING instances and replaces the tasks of an instance disconnected for longer
 * than the grace. One transaction per service. */
#pragma once

#include "hub/store/store.h"

/* How long a node may be without its link before its service tasks are replaced. */
#define SERVICE_DISCONNECT_GRACE_DEFAULT 600
#define SERVICE_DISCONNECT_GRACE_MAX 86400

/* One pass over every service not INACTIVE; grace_seconds as above. Returns how many services
 * failed their pass (each is logged), or a negative errno when the pass could not start. */
int service_reconcile_all(struct hub_store *s, double grace_seconds, struct error *err);
