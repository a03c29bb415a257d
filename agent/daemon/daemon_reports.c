/* What the node reports of itself besides its tasks: a health round every NODE_HEALTH_ROUND_S
 * seconds and the node_status it decides to send (agent/health/node_health.h), and a round of
 * container samples every --metrics-interval with the batches the hub has not acked
 * (agent/metrics/node_metrics.h). */
#include <inttypes.h>
#include <string.h>
#include <time.h>

#include "agent/daemon/daemon_internal.h"
#include "agent/link/node_frames.h"
#include "common/cleanup.h"
#include "common/log.h"

static void health_round(struct daemon *d, time_t now)
{
	/* The store probe is a transaction of its own: this turn's writes go first. */
	daemon_commit_and_send(d);
	struct hostinfo fresh = { 0 };
	struct error err = { 0 };
	if (hostinfo_collect(&fresh, &err) == 0 && (fresh.cpu_units != d->host.cpu_units ||
						    fresh.memory_mib != d->host.memory_mib)) {
		log_info("Resources changed: cpu %" PRIu64 " -> %" PRIu64 ", memory %" PRIu64
			 " -> %" PRIu64 " MiB", d->host.cpu_units, fresh.cpu_units,
			 d->host.memory_mib, fresh.memory_mib);
		struct hostinfo old = d->host;
		d->host = fresh;
		fresh = old;
	}
	hostinfo_release(&fresh);
	struct self_check_context c = { .state_dir = d->state_dir, .store = d->store,
					.image_store_budget = d->image_store_budget };
	bool was = d->health.verdict.taken ? health_verdict_ok(&d->health.verdict) : true;
	node_health_round(&d->health, &c, d->host.cpu_units, d->host.memory_mib, now);
	bool is = health_verdict_ok(&d->health.verdict);
	char reason[HEALTH_CHECK_COUNT * (HEALTH_REASON_MAX + 2)];
	health_verdict_reason(&d->health.verdict, reason, sizeof(reason));
	if (was && !is)
		log_error("Node health IMPAIRED: %s", reason);
	else if (!was && is)
		log_info("Node health OK again");
}

static void send_best_effort(void *userdata, const char *text)
{
	daemon_send_now(userdata, text);
}

static void metrics_timer(lws_sorted_usec_list_t *sul)
{
	struct daemon *d = lws_container_of(sul, struct daemon, metrics_sul);
	struct timespec now;
	clock_gettime(CLOCK_REALTIME, &now);
	if (node_metrics_round(&d->metrics, d->tm, (double)now.tv_sec + now.tv_nsec / 1e9) < 0)
		log_warning("Out of memory sampling the containers' metrics");
	if (d->link && frame_handler_ready(&d->handler))
		node_metrics_send(&d->metrics, send_best_effort, d);
	lws_sul_schedule(hub_link_context(d->link), 0, &d->metrics_sul, metrics_timer,
			 (lws_usec_t)d->metrics_interval_s * LWS_US_PER_SEC);
}

void daemon_metrics_acked(void *userdata, uint64_t batch)
{
	struct daemon *d = userdata;
	node_metrics_acked(&d->metrics, batch);
}

/* Best effort and about the present: sent at once, not held for the commit. */
static void send_node_status(struct daemon *d, time_t now)
{
	struct node_status_report r = {
		.running_tasks = task_manager_active_count(d->tm),
		.tasks_pending = task_manager_count(d->tm, TASK_PENDING),
		.tasks_running = task_manager_count(d->tm, TASK_RUNNING),
		.tasks_stopped = task_manager_count(d->tm, TASK_STOPPED),
		.connected_since = (double)d->connected_at,
		.health = node_health_json(&d->health, now),
	};
	_cleanup_free_ char *text = node_status_frame(&r, &d->host);
	if (text) {
		daemon_send_now(d, text);
		node_health_reported(&d->health, now);
	}
}

static void health_timer(lws_sorted_usec_list_t *sul)
{
	struct daemon *d = lws_container_of(sul, struct daemon, health_sul);
	time_t now = time(NULL);
	health_round(d, now);
	if (d->link && frame_handler_ready(&d->handler) &&
	    (d->health.changed || now - d->health.last_report_at >= NODE_HEALTH_REPORT_S))
		send_node_status(d, now);
	lws_sul_schedule(hub_link_context(d->link), 0, &d->health_sul, health_timer,
			 (lws_usec_t)NODE_HEALTH_ROUND_S * LWS_US_PER_SEC);
}

void daemon_health_soon(struct daemon *d)
{
	if (d->link)
		lws_sul_schedule(hub_link_context(d->link), 0, &d->health_sul, health_timer, 1);
}

void daemon_reports_start(struct daemon *d, struct lws_context *ctx)
{
	/* The first round before the first welcome, so that it reports a verdict. */
	health_round(d, time(NULL));
	lws_sul_schedule(ctx, 0, &d->health_sul, health_timer,
			 (lws_usec_t)NODE_HEALTH_ROUND_S * LWS_US_PER_SEC);
	lws_sul_schedule(ctx, 0, &d->metrics_sul, metrics_timer,
			 (lws_usec_t)d->metrics_interval_s * LWS_US_PER_SEC);
}

void daemon_reports_connected(struct daemon *d)
{
	d->connected_at = time(NULL);
	send_node_status(d, d->connected_at);
	node_metrics_connected(&d->metrics);
	node_metrics_send(&d->metrics, send_best_effort, d);
}
