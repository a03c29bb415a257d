#include <stdio.h>

#include "agent/metrics/agent_metrics_text.h"
#include "common/exposition.h"

static void gauge(struct exposition *e, const char *name, const char *help, double value)
{
	exposition_family(e, name, "gauge", help);
	exposition_sample(e, name, NULL, value);
}

static void pressure(struct exposition *e, const char *resource, const struct pressure *p)
{
	if (!p->known)
		return; /* no PSI on this kernel: no sample rather than a made-up zero */
	const char *windows[3] = { "10", "60", "300" };
	double values[3] = { p->some_avg10, p->some_avg60, p->some_avg300 };
	for (int i = 0; i < 3; i++) {
		const char *labels[] = { "resource", resource, "window", windows[i], NULL };
		exposition_sample(e, "tether_node_pressure_some_percent", labels, values[i]);
	}
}

static void node_part(struct exposition *e, const struct node_health *h)
{
	const struct node_facts *f = &h->facts;
	gauge(e, "tether_node_uptime_seconds", "Seconds since the host booted.", f->uptime_s);
	exposition_family(e, "tether_node_load", "gauge", "Load average over 1, 5 and 15 minutes.");
	const char *periods[3] = { "1", "5", "15" };
	double loads[3] = { f->load1, f->load5, f->load15 };
	for (int i = 0; i < 3; i++) {
		const char *labels[] = { "minutes", periods[i], NULL };
		exposition_sample(e, "tether_node_load", labels, loads[i]);
	}
	exposition_family(e, "tether_node_pressure_some_percent", "gauge",
			  "Share of time some task waited for the resource (PSI); absent without PSI.");
	pressure(e, "cpu", &f->cpu);
	pressure(e, "memory", &f->memory);
	pressure(e, "io", &f->io);
	gauge(e, "tether_node_memory_total_bytes", "MemTotal.", (double)f->mem_total_bytes);
	gauge(e, "tether_node_memory_available_bytes", "MemAvailable.",
	      (double)f->mem_available_bytes);
	exposition_family(e, "tether_node_disk_free_bytes", "gauge",
			  "Free bytes of the file systems of the state dir and the image store.");
	const char *state[] = { "path", "state", NULL }, *images[] = { "path", "images", NULL };
	if (f->state_disk_known)
		exposition_sample(e, "tether_node_disk_free_bytes", state, (double)f->state_free_bytes);
	if (f->images_disk_known)
		exposition_sample(e, "tether_node_disk_free_bytes", images,
				  (double)f->images_free_bytes);
	gauge(e, "tether_node_health_ok", "1 while every self-check passes.",
	      health_verdict_ok(&h->verdict) ? 1 : 0);
	exposition_family(e, "tether_node_self_check_ok", "gauge", "1 while the self-check passes.");
	for (int i = 0; h->verdict.taken && i < HEALTH_CHECK_COUNT; i++) {
		const char *labels[] = { "check", health_check_type((enum health_check_kind)i), NULL };
		exposition_sample(e, "tether_node_self_check_ok", labels, h->verdict.checks[i].ok);
	}
}

static void containers_part(struct exposition *e, const struct metrics_sample *latest, size_t n)
{
	for (int m = 0; m < CONTAINER_METRIC_COUNT; m++) {
		const struct container_metric_def *d = &container_metric_defs[m];
		exposition_family(e, d->metric, d->type, d->help);
		for (size_t i = 0; i < n; i++) {
			const char *labels[] = { "task_arn", latest[i].task_arn, "container",
						 latest[i].container, NULL };
			if (latest[i].has[m])
				exposition_sample(e, d->metric, labels, (double)latest[i].value[m]);
		}
	}
}

static void tasks_part(struct exposition *e, const struct task_status_counts *t)
{
	exposition_family(e, "tether_tasks", "gauge", "Tasks this node holds, by status.");
	const char *statuses[3] = { "PENDING", "RUNNING", "STOPPED" };
	uint64_t counts[3] = { t->pending, t->running, t->stopped };
	for (int i = 0; i < 3; i++) {
		const char *labels[] = { "status", statuses[i], NULL };
		exposition_sample(e, "tether_tasks", labels, (double)counts[i]);
	}
}

int agent_metrics_text(const struct node_health *health, const struct task_status_counts *tasks,
		       const struct metrics_sample *latest, size_t n, char **ret)
{
	struct exposition e = { 0 };
	node_part(&e, health);
	if (tasks)
		tasks_part(&e, tasks);
	containers_part(&e, latest, n);
	return exposition_finish(&e, ret);
}
