#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "hub/services/service_pass.h"
#include "hub/services/service_rules.h"
#include "hub/tasks/service_tasks.h"

/* The tasks of deployment id still to count (not stopped by this pass); healthy: of them. */
static long long alive_of(const struct pass *p, const char *id, long long *ret_healthy)
{
	long long n = 0, healthy = 0;
	for (size_t i = 0; i < p->n_tasks; i++) {
		const struct pass_task *t = &p->tasks[i];
		if (t->stopping || strcmp(t->started_by, id) != 0)
			continue;
		n++;
		healthy += t->healthy && t->primary;
	}
	if (ret_healthy)
		*ret_healthy = healthy;
	return n;
}

static int set_rollout(struct pass *p, struct deployment *d, const char *state,
		       const char *reason)
{
	snprintf(d->rollout_state, sizeof(d->rollout_state), "%s", state);
	snprintf(d->rollout_reason, sizeof(d->rollout_reason), "%s", reason);
	d->updated_at = p->now;
	return deployment_store_put(p->s, p->svc.cluster, p->svc.name, d, p->err);
}

/* The circuit breaker tripped on the primary deployment: it FAILED, and with rollback a new
 * deployment of the last definition that completed takes over. */
static int trip_breaker(struct pass *p)
{
	struct deployment *d = p->primary;
	if (set_rollout(p, d, "FAILED", "ECS deployment circuit breaker: tasks failed to start.") < 0 ||
	    service_event_add(p->s, p->svc.cluster, p->svc.name, p->err,
			      "(service %s) (deployment %s) deployment failed: tasks failed to start.",
			      p->svc.name, d->id) < 0)
		return -EIO;
	if (!p->svc.breaker_rollback)
		return 0;
	struct deployment good, next;
	int r = deployment_store_last_completed(p->s, p->svc.cluster, p->svc.name, &good, p->err);
	if (r != 0)
		return r < 0 ? -EIO : 0;
	char reason[256];
	snprintf(reason, sizeof(reason),
		 "ECS deployment circuit breaker: rolling back to deploymentId %s.", good.id);
	if (deployment_store_start(p->s, p->svc.cluster, p->svc.name, good.family, good.revision,
				   reason, &next, p->err) < 0)
		return -EIO;
	p->svc.steady = false;
	return service_event_add(p->s, p->svc.cluster, p->svc.name, p->err,
				 "(service %s) (deployment %s) rolling back to task definition %s:%lld"
				 " of deployment %s.", p->svc.name, next.id, good.family,
				 good.revision, good.id);
}

int service_rollout_account(struct pass *p)
{
	bool others = false;
	for (size_t i = 0; i < p->n_deps; i++) {
		struct deployment *d = &p->deps[i];
		if (d == p->primary)
			continue;
		if (alive_of(p, d->id, NULL) > 0) {
			others = true;
			continue;
		}
		snprintf(d->status, sizeof(d->status), "INACTIVE");
		d->updated_at = p->now;
		if (deployment_store_put(p->s, p->svc.cluster, p->svc.name, d, p->err) < 0)
			return -EIO;
	}
	struct deployment *d = p->primary;
	long long healthy, alive = alive_of(p, d->id, &healthy);
	if (strcmp(d->rollout_state, "IN_PROGRESS") == 0) {
		long long failed = service_tasks_failed(p->s, p->svc.cluster, p->group, d->id, p->err);
		if (failed < 0)
			return -EIO;
		if (failed != d->failed) {
			d->failed = failed;
			d->updated_at = p->now;
			if (deployment_store_put(p->s, p->svc.cluster, p->svc.name, d, p->err) < 0)
				return -EIO;
		}
		if (p->svc.breaker_enable && failed >= breaker_threshold(p->svc.desired))
			return trip_breaker(p);
		if (!others && healthy == p->svc.desired && alive == p->svc.desired) {
			if (set_rollout(p, d, "COMPLETED", "ECS deployment completed.") < 0 ||
			    service_event_add(p->s, p->svc.cluster, p->svc.name, p->err,
					      "(service %s) (deployment %s) deployment completed.",
					      p->svc.name, d->id) < 0)
				return -EIO;
		}
	}
	bool steady = !others && strcmp(d->rollout_state, "IN_PROGRESS") != 0 &&
		      healthy == p->svc.desired && alive == p->svc.desired;
	if (steady && !p->svc.steady &&
	    service_event_add(p->s, p->svc.cluster, p->svc.name, p->err,
			      "(service %s) has reached a steady state.", p->svc.name) < 0)
		return -EIO;
	p->svc.steady = steady;
	return 0;
}
