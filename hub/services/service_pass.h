/* One service's pass of the scheduler (hub/services/service_reconcile.c), as its parts share
 * it: what the pass read of the service, its deployments and tasks, and what it did. */
#pragma once

#include <stdbool.h>

#include "hub/services/service_store.h"
#include "protocol/arn.h"

#define EVENT_IDS_MAX 900 /* room for the task ids of one "has started" event */

struct pass_task {
	char id[HUB_ID_HEX + 1], started_by[DEPLOYMENT_ID_MAX + 1], node_id[64];
	bool running, healthy, unhealthy, primary, node_active, node_connected, lost_long;
	bool stopping; /* stopped by this pass */
};

struct pass {
	struct hub_store *s;
	struct service svc;
	char group[SERVICE_NAME_MAX + 16];
	struct deployment *deps, *primary;
	size_t n_deps;
	struct pass_task *tasks;
	size_t n_tasks, tasks_size;
	double now, grace;
	char started[EVENT_IDS_MAX], stopped[EVENT_IDS_MAX];
	int n_started, n_stopped;
	bool oom;
	struct error *err;
};

/* Accounts for the deployments after the pass's starts and stops (hub/services/service_rollout.c):
 * an older deployment without tasks is INACTIVE; the primary one counts its failed tasks, trips
 * the circuit breaker, or COMPLETES; the steady state is told once. */
int service_rollout_account(struct pass *p);
