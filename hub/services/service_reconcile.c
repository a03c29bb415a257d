#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/cleanup.h"
#include "common/log.h"
#include "hub/services/service_pass.h"
#include "hub/services/service_place.h"
#include "hub/services/service_reconcile.h"
#include "hub/services/service_rules.h"
#include "hub/services/service_store.h"
#include "hub/tasks/service_tasks.h"
#include "hub/tasks/task_launch.h"
#include "protocol/json_value.h"

#define PLACE_EVENT_EVERY 60.0 /* seconds between two equal "unable to place" events */

static double lost_since(struct hub_store *s, const char *node_id, double now)
{
	_cleanup_stmt_ sqlite3_stmt *st =
		hub_store_prepare(s, "SELECT since FROM node_lost WHERE node_id = ?", NULL);
	if (!st)
		return now;
	sqlite3_bind_text(st, 1, node_id, -1, SQLITE_STATIC);
	return sqlite3_step(st) == SQLITE_ROW ? sqlite3_column_double(st, 0) : now;
}

static void add_task(const struct service_task *t, void *data)
{
	struct pass *p = data;
	if (p->n_tasks == p->tasks_size) {
		size_t size = p->tasks_size ? 2 * p->tasks_size : 8;
		struct pass_task *more = realloc(p->tasks, size * sizeof(*more));
		if (!more) {
			p->oom = true;
			return;
		}
		p->tasks = more;
		p->tasks_size = size;
	}
	struct pass_task *pt = &p->tasks[p->n_tasks++];
	*pt = (struct pass_task){ 0 };
	snprintf(pt->id, sizeof(pt->id), "%s", t->id);
	snprintf(pt->started_by, sizeof(pt->started_by), "%s", t->started_by);
	snprintf(pt->node_id, sizeof(pt->node_id), "%s", t->node_id);
	pt->running = strcmp(t->last_status, "RUNNING") == 0;
	pt->unhealthy = strcmp(t->health_status, "UNHEALTHY") == 0;
	/* A task without a health check is healthy once RUNNING; with one, once HEALTHY. */
	pt->healthy = pt->running && (!t->health_status[0] || strcmp(t->health_status, "HEALTHY") == 0);
	pt->node_active = strcmp(t->node_status, "ACTIVE") == 0;
	pt->node_connected = t->node_connected;
	pt->primary = p->primary && strcmp(t->started_by, p->primary->id) == 0 && pt->node_active;
	pt->lost_long = !t->node_connected &&
			p->now - lost_since(p->s, t->node_id, p->now) >= p->grace;
}

static void note_id(char *list, int *n, const char *id)
{
	size_t used = strlen(list);
	if (used + strlen(id) + 9 < EVENT_IDS_MAX)
		snprintf(list + used, EVENT_IDS_MAX - used, "%s(task %s)", used ? " " : "", id);
	(*n)++;
}

static int stop(struct pass *p, struct pass_task *t, const char *reason)
{
	if (t->stopping)
		return 0;
	t->stopping = true;
	if (task_launch_stop(p->s, p->svc.cluster, t->id, "ServiceSchedulerInitiated", reason,
			     p->err) < 0)
		return -EIO;
	note_id(p->stopped, &p->n_stopped, t->id);
	return 0;
}

static const char *reason_text(const char *reason)
{
	if (strcmp(reason, "RESOURCE:MEMORY") == 0)
		return "No container instance has enough memory available for the task.";
	if (strcmp(reason, "RESOURCE:CPU") == 0)
		return "No container instance has enough CPU units available for the task.";
	if (strcmp(reason, "AGENT") == 0)
		return "No container instance with a connected agent was found in your cluster.";
	return "No Container Instances were found in your cluster.";
}

/* ECS tells why a task cannot be placed, again only when the reason changes or a minute
 * passed. */
static int unable_to_place(struct pass *p, const char *reason)
{
	if (strcmp(p->svc.place_reason, reason) == 0 &&
	    p->now - p->svc.place_event_at < PLACE_EVENT_EVERY)
		return 0;
	snprintf(p->svc.place_reason, sizeof(p->svc.place_reason), "%s", reason);
	p->svc.place_event_at = p->now;
	return service_event_add(p->s, p->svc.cluster, p->svc.name, p->err,
				 "(service %s) was unable to place a task because no container"
				 " instance met all of its requirements. Reason: %s",
				 p->svc.name, reason_text(reason));
}

struct taskdef_row {
	char *body;
	struct taskdef *td;
};

static void taskdef_row_free(struct taskdef_row *r)
{
	free(r->body);
	taskdef_free(r->td);
}

static int load_taskdef(struct pass *p, const struct deployment *d, struct taskdef_row *ret)
{
	_cleanup_stmt_ sqlite3_stmt *st = hub_store_prepare(
		p->s, "SELECT body FROM taskdefs WHERE family = ? AND revision = ?", p->err);
	if (!st)
		return -EIO;
	sqlite3_bind_text(st, 1, d->family, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 2, d->revision);
	if (sqlite3_step(st) != SQLITE_ROW)
		return error_set(p->err, ENOENT, "task definition %s:%lld not found", d->family,
				 d->revision);
	ret->body = strdup(col_text(st, 0));
	if (!ret->body)
		return error_set(p->err, ENOMEM, "out of memory");
	return taskdef_parse(ret->body, strlen(ret->body), &ret->td, p->err);
}

/* Starts up to n tasks of the primary deployment, on only_node when given; how many started,
 * or a negative errno. */
static int start(struct pass *p, long long n, const char *only_node)
{
	if (n <= 0)
		return 0;
	struct taskdef_row row = { 0 };
	if (load_taskdef(p, p->primary, &row) < 0) {
		taskdef_row_free(&row);
		return -EIO;
	}
	struct task_launch l = { .cluster = p->svc.cluster, .family = p->primary->family,
				 .body = row.body, .revision = p->primary->revision, .td = row.td,
				 .started_by = p->primary->id, .group = p->group };
	_cleanup_free_ char *constraints_text = NULL, *strategies_text = NULL;
	if (service_placement_get(p->s, p->svc.cluster, p->svc.name, &constraints_text,
				  &strategies_text, p->err) < 0) {
		taskdef_row_free(&row);
		return -EIO;
	}
	_cleanup_(cjson_deletep) cJSON *constraints =
		constraints_text ? cJSON_Parse(constraints_text) : NULL;
	_cleanup_(cjson_deletep) cJSON *strategies =
		strategies_text ? cJSON_Parse(strategies_text) : NULL;
	struct service_placement sp = { constraints, strategies };
	int started = 0;
	for (long long i = 0; i < n; i++) {
		char node_id[64], task_id[HUB_ID_HEX + 1];
		const char *reason = NULL;
		int r = service_place(p->s, p->svc.cluster, p->group, row.td, &sp, only_node,
				      node_id, &reason, p->err);
		if (r == 0)
			r = task_launch_one(p->s, &l, node_id, task_id, &reason, p->err);
		if (r < 0) {
			taskdef_row_free(&row);
			return -EIO;
		}
		if (r > 0) {
			taskdef_row_free(&row);
			return unable_to_place(p, reason) < 0 ? -EIO : started;
		}
		note_id(p->started, &p->n_started, task_id);
		started++;
	}
	taskdef_row_free(&row);
	return started;
}

/* Tasks that must go whatever the deployment: UNHEALTHY ones, and those of an instance
 * disconnected for longer than the grace. */
static int stop_lost_and_unhealthy(struct pass *p)
{
	char reason[160];
	snprintf(reason, sizeof(reason),
		 "Container instance disconnected for more than %.0f seconds; the service replaced"
		 " the task", p->grace);
	for (size_t i = 0; i < p->n_tasks; i++) {
		struct pass_task *t = &p->tasks[i];
		if (t->lost_long && stop(p, t, reason) < 0)
			return -EIO;
		if (t->unhealthy && stop(p, t, "Task failed container health checks") < 0)
			return -EIO;
	}
	return 0;
}

static int scaling_reason(struct pass *p, char *buf, size_t size)
{
	return snprintf(buf, size, "Scaling activity initiated by (deployment %s)",
			p->primary ? p->primary->id : "");
}

/* Stops up to n of the tasks that match, newest first; want_healthy -1: either. Returns how
 * many it stopped. */
static long long stop_some(struct pass *p, long long n, bool primary, int want_healthy)
{
	long long stopped = 0;
	char reason[128];
	scaling_reason(p, reason, sizeof(reason));
	for (size_t i = p->n_tasks; i-- > 0 && n > 0;) {
		struct pass_task *t = &p->tasks[i];
		if (t->stopping || t->primary != primary ||
		    (want_healthy >= 0 && t->healthy != (bool)want_healthy))
			continue;
		if (stop(p, t, reason) < 0)
			return -EIO;
		n--;
		stopped++;
	}
	return stopped;
}

static int reconcile_replica(struct pass *p)
{
	struct roll_counts c = { .desired = p->svc.desired, .max_percent = p->svc.max_percent,
				 .min_percent = p->svc.min_percent,
				 .may_start = strcmp(p->primary->rollout_state, "FAILED") != 0 };
	for (size_t i = 0; i < p->n_tasks; i++) {
		const struct pass_task *t = &p->tasks[i];
		if (t->stopping)
			continue;
		if (t->primary)
			*(t->healthy ? &c.primary_healthy : &c.primary_waiting) += 1;
		else
			*(t->healthy ? &c.old_healthy : &c.old_waiting) += 1;
	}
	struct roll_plan plan = roll_plan_of(&c);
	/* Above the count, waiting tasks go first. */
	long long shed = stop_some(p, plan.stop_primary, true, 0);
	if (shed < 0 || stop_some(p, plan.stop_primary - shed, true, -1) < 0 ||
	    stop_some(p, plan.stop_old_waiting, false, 0) < 0 ||
	    stop_some(p, plan.stop_old_healthy, false, 1) < 0)
		return -EIO;
	return start(p, plan.start, NULL) < 0 ? -EIO : 0;
}

/* The instances a DAEMON service runs on: ACTIVE, connected or disconnected within the grace. */
struct daemon_node {
	char node_id[64];
	bool connected;
};

static int daemon_nodes(struct pass *p, struct daemon_node **ret, size_t *n)
{
	_cleanup_stmt_ sqlite3_stmt *st = hub_store_prepare(
		p->s, "SELECT n.node_id, n.connected, coalesce(l.since, ?2) FROM nodes n"
		      " LEFT JOIN node_lost l USING(node_id) WHERE n.cluster = ?1"
		      " AND n.status = 'ACTIVE' ORDER BY n.node_id", p->err);
	if (!st)
		return -EIO;
	sqlite3_bind_text(st, 1, p->svc.cluster, -1, SQLITE_STATIC);
	sqlite3_bind_double(st, 2, p->now);
	size_t size = 0;
	while (sqlite3_step(st) == SQLITE_ROW) {
		bool connected = sqlite3_column_int(st, 1);
		if (!connected && p->now - sqlite3_column_double(st, 2) >= p->grace)
			continue;
		if (*n == size) {
			size = size ? 2 * size : 8;
			struct daemon_node *more = realloc(*ret, size * sizeof(*more));
			if (!more)
				return error_set(p->err, ENOMEM, "out of memory");
			*ret = more;
		}
		struct daemon_node *d = &(*ret)[(*n)++];
		snprintf(d->node_id, sizeof(d->node_id), "%s", col_text(st, 0));
		d->connected = connected;
	}
	return 0;
}

static int reconcile_daemon(struct pass *p)
{
	_cleanup_free_ struct daemon_node *nodes = NULL;
	size_t n_nodes = 0;
	if (daemon_nodes(p, &nodes, &n_nodes) < 0)
		return -EIO;
	p->svc.desired = (long long)n_nodes;
	char reason[128];
	scaling_reason(p, reason, sizeof(reason));
	/* A task on an instance that is no longer one of them (DRAINING) goes. */
	for (size_t i = 0; i < p->n_tasks; i++)
		if (!p->tasks[i].node_active && stop(p, &p->tasks[i], reason) < 0)
			return -EIO;
	bool may_start = strcmp(p->primary->rollout_state, "FAILED") != 0;
	for (size_t k = 0; k < n_nodes; k++) {
		bool has_primary = false, had_old = false;
		for (size_t i = 0; i < p->n_tasks; i++) {
			struct pass_task *t = &p->tasks[i];
			if (t->stopping || strcmp(t->node_id, nodes[k].node_id) != 0)
				continue;
			/* One task per instance, of the primary deployment: older ones make room
			 * first (DAEMON's maximumPercent is 100). */
			if (!t->primary || has_primary) {
				had_old = had_old || !t->primary;
				if (stop(p, t, reason) < 0)
					return -EIO;
				continue;
			}
			has_primary = true;
		}
		if (!has_primary && !had_old && nodes[k].connected && may_start &&
		    start(p, 1, nodes[k].node_id) < 0)
			return -EIO;
	}
	return 0;
}

static int tell_started_and_stopped(struct pass *p)
{
	if (p->n_started &&
	    service_event_add(p->s, p->svc.cluster, p->svc.name, p->err,
			      "(service %s) has started %d tasks: %s.", p->svc.name, p->n_started,
			      p->started) < 0)
		return -EIO;
	if (p->n_stopped &&
	    service_event_add(p->s, p->svc.cluster, p->svc.name, p->err,
			      "(service %s) has stopped %d running tasks: %s.", p->svc.name,
			      p->n_stopped, p->stopped) < 0)
		return -EIO;
	return 0;
}

/* A deleted service (DRAINING) stops its tasks and is INACTIVE once none runs. */
static int drain_service(struct pass *p)
{
	for (size_t i = 0; i < p->n_tasks; i++)
		if (stop(p, &p->tasks[i], "Service deleted") < 0)
			return -EIO;
	long long running, pending;
	if (service_tasks_count(p->s, p->svc.cluster, p->group, NULL, true, &running, &pending,
				p->err) < 0)
		return -EIO;
	if (running + pending > 0)
		return 0;
	snprintf(p->svc.status, sizeof(p->svc.status), "INACTIVE");
	for (size_t i = 0; i < p->n_deps; i++) {
		snprintf(p->deps[i].status, sizeof(p->deps[i].status), "INACTIVE");
		if (deployment_store_put(p->s, p->svc.cluster, p->svc.name, &p->deps[i], p->err) < 0)
			return -EIO;
	}
	return 0;
}

static int reconcile(struct pass *p)
{
	snprintf(p->group, sizeof(p->group), "service:%s", p->svc.name);
	if (deployment_store_list(p->s, p->svc.cluster, p->svc.name, false, &p->deps, &p->n_deps,
				  p->err) < 0)
		return -EIO;
	for (size_t i = 0; i < p->n_deps; i++)
		if (strcmp(p->deps[i].status, "PRIMARY") == 0)
			p->primary = &p->deps[i];
	if (service_tasks_each(p->s, p->svc.cluster, p->group, add_task, p, p->err) < 0)
		return -EIO;
	if (p->oom)
		return error_set(p->err, ENOMEM, "out of memory");
	int r;
	if (strcmp(p->svc.status, "DRAINING") == 0)
		r = drain_service(p);
	else if (!p->primary)
		r = 0;
	else if (stop_lost_and_unhealthy(p) < 0)
		r = -EIO;
	else if (strcmp(p->svc.strategy, "DAEMON") == 0)
		r = reconcile_daemon(p);
	else
		r = reconcile_replica(p);
	if (r < 0 || tell_started_and_stopped(p) < 0)
		return -EIO;
	if (p->primary && strcmp(p->svc.status, "ACTIVE") == 0 && service_rollout_account(p) < 0)
		return -EIO;
	return service_store_put(p->s, &p->svc, p->err);
}

struct all_pass {
	struct service *list;
	size_t n, size;
	bool oom;
};

static void collect(const struct service *svc, void *data)
{
	struct all_pass *a = data;
	if (a->n == a->size) {
		size_t size = a->size ? 2 * a->size : 8;
		struct service *more = realloc(a->list, size * sizeof(*more));
		if (!more) {
			a->oom = true;
			return;
		}
		a->list = more;
		a->size = size;
	}
	a->list[a->n++] = *svc;
}

/* Since when each node has been seen without its link: the grace counts from there. */
static int note_lost_nodes(struct hub_store *s, double now, struct error *err)
{
	sqlite3_stmt *st = hub_store_prepare(
		s, "INSERT OR IGNORE INTO node_lost(node_id, since) SELECT node_id, ? FROM nodes"
		   " WHERE connected = 0 AND status != 'INACTIVE'", err);
	if (!st)
		return -EIO;
	sqlite3_bind_double(st, 1, now);
	if (hub_store_step_done(s, st, err) < 0)
		return -EIO;
	return hub_store_exec_text(s, "DELETE FROM node_lost WHERE node_id IN (SELECT node_id"
				      " FROM nodes WHERE connected = 1 OR status = 'INACTIVE')",
				   err, 0);
}

int service_reconcile_all(struct hub_store *s, double grace_seconds, struct error *err)
{
	double now = hub_now();
	struct all_pass all = { 0 };
	if (hub_store_begin(s, err) < 0)
		return -EIO;
	if (note_lost_nodes(s, now, err) < 0 ||
	    service_store_each(s, NULL, false, collect, &all, err) < 0 || all.oom) {
		hub_store_rollback(s);
		free(all.list);
		return all.oom ? error_set(err, ENOMEM, "out of memory") : -EIO;
	}
	if (hub_store_commit(s, err) < 0) {
		free(all.list);
		return -EIO;
	}
	int failed = 0;
	for (size_t i = 0; i < all.n; i++) {
		struct error e = { 0 };
		struct pass p = { .s = s, .svc = all.list[i], .now = now, .grace = grace_seconds,
				  .err = &e };
		int r = hub_store_begin(s, &e);
		if (r == 0) {
			/* The service may have changed since the list was read. */
			r = service_store_get(s, p.svc.cluster, p.svc.name, &p.svc, &e);
			if (r == 0 && strcmp(p.svc.status, "INACTIVE") != 0)
				r = reconcile(&p);
			if (r < 0)
				hub_store_rollback(s);
			else
				r = hub_store_commit(s, &e);
		}
		if (r < 0) {
			log_warning("service %s of cluster %s: %s", p.svc.name, p.svc.cluster,
				    e.message);
			failed++;
		}
		free(p.deps);
		free(p.tasks);
	}
	free(all.list);
	return failed;
}
