#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/cleanup.h"
#include "common/exposition.h"
#include "hub/metrics_exposition.h"
#include "hub/schedules/rule_store.h"
#include "hub/tasks/scheduler.h"
#include "hub/tasks/task_store.h"
#include "protocol/json_value.h"

#define SAMPLE_TIME "tether_container_sample_timestamp_seconds"

/* Per-node gauges, one family each, in the order node_rows writes them. */
enum node_gauge {
	NODE_CONNECTED,
	NODE_RUNNING_TASKS,
	NODE_REGISTERED_CPU,
	NODE_REMAINING_CPU,
	NODE_REGISTERED_MEMORY,
	NODE_REMAINING_MEMORY,
	NODE_HEALTH_OK,
	NODE_METRICS_DROPPED,
	NODE_LOAD1,             /* the facts of its last health report, when it gave them */
	NODE_MEMORY_AVAILABLE,
	NODE_STATE_DISK_FREE,
	NODE_IMAGES_DISK_FREE,
	NODE_GAUGE_COUNT,
};

static const struct {
	const char *name, *type, *help;
} node_gauges[NODE_GAUGE_COUNT] = {
	[NODE_CONNECTED] = { "tether_node_connected", "gauge", "1 while the node's agent is connected." },
	[NODE_RUNNING_TASKS] = { "tether_node_running_tasks", "gauge", "Tasks RUNNING on the node." },
	[NODE_REGISTERED_CPU] = { "tether_node_registered_cpu_units", "gauge",
				  "CPU units the node registered (1024 a CPU)." },
	[NODE_REMAINING_CPU] = { "tether_node_remaining_cpu_units", "gauge",
				 "CPU units not reserved by the node's tasks." },
	[NODE_REGISTERED_MEMORY] = { "tether_node_registered_memory_mib", "gauge",
				     "Memory the node registered, MiB." },
	[NODE_REMAINING_MEMORY] = { "tether_node_remaining_memory_mib", "gauge",
				    "Memory not reserved by the node's tasks, MiB." },
	[NODE_HEALTH_OK] = { "tether_node_health_ok", "gauge",
			     "1 while the node is connected and its health is OK." },
	[NODE_METRICS_DROPPED] = { "tether_node_metrics_samples_dropped_total", "counter",
				   "Samples the agent dropped for lack of room (since it started)." },
	[NODE_LOAD1] = { "tether_node_load1", "gauge", "The node's load average over a minute." },
	[NODE_MEMORY_AVAILABLE] = { "tether_node_memory_available_bytes", "gauge",
				    "The node's MemAvailable." },
	[NODE_STATE_DISK_FREE] = { "tether_node_state_disk_free_bytes", "gauge",
				   "Free bytes of the file system of the agent's state dir." },
	[NODE_IMAGES_DISK_FREE] = { "tether_node_images_disk_free_bytes", "gauge",
				    "Free bytes of the file system of the agent's image store." },
};

struct node_row {
	char cluster[256], node_id[64], instance_id[64], status[32];
	double values[NODE_GAUGE_COUNT];
};

struct fleet {
	struct node_row *rows;
	size_t n;
};

static double fact(const cJSON *facts, const char *object, const char *member)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(cJSON_GetObjectItemCaseSensitive(facts, object),
							 member);
	return cJSON_IsNumber(v) ? v->valuedouble : NAN;
}

/* The verdict and facts of the node's stored health (hub/node_health.h). */
static void health_values(const char *stored, bool connected, struct node_row *r)
{
	_cleanup_(cjson_deletep) cJSON *h = stored && *stored ? cJSON_Parse(stored) : NULL;
	const char *status = json_string_member(h, "status");
	r->values[NODE_HEALTH_OK] = connected && status && !strcmp(status, "OK");
	const cJSON *facts = cJSON_GetObjectItemCaseSensitive(h, "facts");
	const cJSON *load = cJSON_GetArrayItem(cJSON_GetObjectItemCaseSensitive(facts, "load"), 0);
	r->values[NODE_LOAD1] = cJSON_IsNumber(load) ? load->valuedouble : NAN;
	r->values[NODE_MEMORY_AVAILABLE] = fact(facts, "memory", "available_bytes");
	r->values[NODE_STATE_DISK_FREE] = fact(facts, "state_disk", "free_bytes");
	r->values[NODE_IMAGES_DISK_FREE] = fact(facts, "images_disk", "free_bytes");
}

static int read_nodes(struct http_front *front, struct fleet *f, struct error *err)
{
	_cleanup_stmt_ sqlite3_stmt *st = hub_store_prepare(
		front->store, "SELECT cluster, node_id, instance_id, status, connected, cpu, memory,"
			      " health FROM nodes ORDER BY cluster, instance_id", err);
	if (!st)
		return -EIO;
	while (sqlite3_step(st) == SQLITE_ROW) {
		struct node_row *grown = realloc(f->rows, (f->n + 1) * sizeof(*grown));
		if (!grown)
			return error_set(err, ENOMEM, "out of memory");
		f->rows = grown;
		struct node_row *r = &f->rows[f->n++];
		snprintf(r->cluster, sizeof(r->cluster), "%s", col_text(st, 0));
		snprintf(r->node_id, sizeof(r->node_id), "%s", col_text(st, 1));
		snprintf(r->instance_id, sizeof(r->instance_id), "%s", col_text(st, 2));
		snprintf(r->status, sizeof(r->status), "%s", col_text(st, 3));
		bool connected = sqlite3_column_int(st, 4);
		long long cpu = sqlite3_column_int64(st, 5), mem = sqlite3_column_int64(st, 6);
		r->values[NODE_CONNECTED] = connected;
		r->values[NODE_REGISTERED_CPU] = (double)cpu;
		r->values[NODE_REGISTERED_MEMORY] = (double)mem;
		health_values(col_text(st, 7), connected, r);
	}
	for (size_t i = 0; i < f->n; i++) {
		struct node_row *r = &f->rows[i];
		long long used_cpu = 0, used_mem = 0;
		scheduler_reserved(front->store, r->node_id, &used_cpu, &used_mem);
		r->values[NODE_REMAINING_CPU] = r->values[NODE_REGISTERED_CPU] - (double)used_cpu;
		r->values[NODE_REMAINING_MEMORY] = r->values[NODE_REGISTERED_MEMORY] - (double)used_mem;
		r->values[NODE_RUNNING_TASKS] =
			(double)task_store_node_count(front->store, r->node_id, "RUNNING");
		r->values[NODE_METRICS_DROPPED] =
			(double)metrics_window_node_dropped(front->metrics, r->node_id);
	}
	return 0;
}

static void instances_part(struct exposition *e, const struct fleet *f)
{
	exposition_family(e, "tether_container_instances", "gauge",
			  "Container instances by cluster, status and whether their agent is connected.");
	for (size_t i = 0; i < f->n; i++) {
		const struct node_row *r = &f->rows[i];
		bool seen = false;
		for (size_t j = 0; j < i && !seen; j++)
			seen = !strcmp(f->rows[j].cluster, r->cluster) &&
			       !strcmp(f->rows[j].status, r->status) &&
			       f->rows[j].values[NODE_CONNECTED] == r->values[NODE_CONNECTED];
		if (seen)
			continue;
		double count = 0;
		for (size_t j = i; j < f->n; j++)
			count += !strcmp(f->rows[j].cluster, r->cluster) &&
				 !strcmp(f->rows[j].status, r->status) &&
				 f->rows[j].values[NODE_CONNECTED] == r->values[NODE_CONNECTED];
		const char *labels[] = { "cluster", r->cluster, "status", r->status, "connected",
					 r->values[NODE_CONNECTED] ? "true" : "false", NULL };
		exposition_sample(e, "tether_container_instances", labels, count);
	}
	for (int g = 0; g < NODE_GAUGE_COUNT; g++) {
		exposition_family(e, node_gauges[g].name, node_gauges[g].type, node_gauges[g].help);
		for (size_t i = 0; i < f->n; i++) {
			const struct node_row *r = &f->rows[i];
			const char *labels[] = { "cluster", r->cluster, "container_instance",
						 r->instance_id, "node_id", r->node_id, NULL };
			if (!isnan(f->rows[i].values[g]))
				exposition_sample(e, node_gauges[g].name, labels, f->rows[i].values[g]);
		}
	}
}

static void task_count(void *userdata, const char *cluster, const char *status, long long n)
{
	const char *labels[] = { "cluster", cluster, "status", status, NULL };
	exposition_sample(userdata, "tether_tasks", labels, (double)n);
}

struct containers {
	struct exposition *e;
	int metric; /* CONTAINER_METRIC_COUNT: the sample's time */
};

static void container_sample(void *userdata, const char *node_id, const char *task_arn,
			     const char *container, const struct metrics_point *latest,
			     size_t n_points)
{
	(void)n_points;
	struct containers *c = userdata;
	const char *labels[] = { "node_id", node_id, "task_arn", task_arn, "container", container,
				 NULL };
	if (c->metric == CONTAINER_METRIC_COUNT)
		exposition_sample(c->e, SAMPLE_TIME, labels, latest->at);
	else if (latest->has[c->metric])
		exposition_sample(c->e, container_metric_defs[c->metric].metric, labels,
				  (double)latest->value[c->metric]);
}

/* Scheduled rules: whether the last tick started everything, and when it was. */
static void rule_failing(void *data, const char *name, bool failing, int64_t last_tick)
{
	(void)last_tick;
	const char *labels[] = { "rule", name, NULL };
	exposition_sample(data, "tether_rule_failing", labels, failing ? 1 : 0);
}

static void rule_last_tick(void *data, const char *name, bool failing, int64_t last_tick)
{
	(void)failing;
	const char *labels[] = { "rule", name, NULL };
	exposition_sample(data, "tether_rule_last_tick_timestamp_seconds", labels,
			  (double)last_tick);
}

static int rules_part(struct exposition *e, struct hub_store *s, struct error *err)
{
	exposition_family(e, "tether_rule_failing", "gauge",
			  "1 while a scheduled rule's last tick did not start all its tasks"
			  " (DescribeRule's LastFailure says why).");
	if (rule_store_each_state(s, rule_failing, e, err) < 0)
		return -EIO;
	exposition_family(e, "tether_rule_last_tick_timestamp_seconds", "gauge",
			  "The last tick a scheduled rule handled (when put or enabled, before its first).");
	return rule_store_each_state(s, rule_last_tick, e, err);
}

static void links_part(struct exposition *e, const struct link_stats *st)
{
	exposition_family(e, "tether_links_open", "gauge", "Agent links open, and welcomed.");
	const char *all[] = { "welcomed", "false", NULL }, *welcomed[] = { "welcomed", "true", NULL };
	exposition_sample(e, "tether_links_open", all, (double)(st->open - st->welcomed_open));
	exposition_sample(e, "tether_links_open", welcomed, (double)st->welcomed_open);
	exposition_family(e, "tether_links_opened_total", "counter", "Agent links opened.");
	exposition_sample(e, "tether_links_opened_total", NULL, (double)st->opened);
	exposition_family(e, "tether_links_welcomed_total", "counter", "Agent links welcomed.");
	exposition_sample(e, "tether_links_welcomed_total", NULL, (double)st->welcomed);
	exposition_family(e, "tether_links_ended_total", "counter", "Agent links ended, by cause.");
	for (int c = 0; c < LINK_END_COUNT; c++) {
		const char *labels[] = { "cause", link_end_name((enum link_end)c), NULL };
		exposition_sample(e, "tether_links_ended_total", labels, (double)st->ended[c]);
	}
}

static void api_part(struct exposition *e, const struct api_counters *c)
{
	exposition_family(e, "tether_api_requests_total", "counter",
			  "Operator API requests by operation and HTTP status.");
	for (size_t i = 0; i < c->n; i++) {
		char status[16];
		snprintf(status, sizeof(status), "%d", c->entries[i].status);
		const char *labels[] = { "operation", c->entries[i].operation, "status", status, NULL };
		exposition_sample(e, "tether_api_requests_total", labels, (double)c->entries[i].count);
	}
}

int hub_metrics_text(struct http_front *front, double now, char **ret, struct error *err)
{
	struct fleet f = { 0 };
	struct exposition e = { 0 };
	int r = read_nodes(front, &f, err);
	if (r >= 0) {
		instances_part(&e, &f);
		exposition_family(&e, "tether_tasks", "gauge", "Tasks by cluster and last status.");
		r = task_store_count_by_status(front->store, task_count, &e, err);
	}
	if (r >= 0)
		r = rules_part(&e, front->store, err);
	free(f.rows);
	if (r < 0) {
		char *dropped = NULL;
		if (exposition_finish(&e, &dropped) == 0)
			free(dropped);
		return r;
	}
	metrics_window_expire(front->metrics, now);
	for (int m = 0; m <= CONTAINER_METRIC_COUNT; m++) {
		if (m == CONTAINER_METRIC_COUNT)
			exposition_family(&e, SAMPLE_TIME, "gauge",
					  "When the latest sample was taken (the node's clock).");
		else
			exposition_family(&e, container_metric_defs[m].metric,
					  container_metric_defs[m].type, container_metric_defs[m].help);
		struct containers c = { &e, m };
		metrics_window_foreach(front->metrics, container_sample, &c);
	}
	if (front->link_stats)
		links_part(&e, front->link_stats);
	api_part(&e, &front->api_counters);
	r = exposition_finish(&e, ret);
	return r < 0 ? error_set(err, ENOMEM, "out of memory") : 0;
}
