#include "agent/health/node_health.h"

void node_health_init(struct node_health *h, time_t now)
{
	*h = (struct node_health){ .started_at = now, .changed = true };
}

bool node_health_round(struct node_health *h, const struct self_check_context *c,
		       uint64_t cpu_units, uint64_t memory_mib, time_t now)
{
	node_facts_collect(c->state_dir, &h->facts);
	struct health_check_result round[HEALTH_CHECK_COUNT];
	round[HEALTH_CGROUP_TREE] = h->verdict.checks[HEALTH_CGROUP_TREE];
	bool probe = !h->verdict.taken || now - h->last_cgroup_probe_at >= NODE_HEALTH_CGROUP_PROBE_S;
	if (probe)
		h->last_cgroup_probe_at = now;
	self_checks_run(c, probe, round);
	if (health_verdict_record(&h->verdict, round, now))
		h->changed = true;
	if (cpu_units != h->cpu_units || memory_mib != h->memory_mib) {
		h->cpu_units = cpu_units;
		h->memory_mib = memory_mib;
		h->changed = true;
	}
	return h->changed || now - h->last_report_at >= NODE_HEALTH_REPORT_S;
}

void node_health_reported(struct node_health *h, time_t now)
{
	h->changed = false;
	h->last_report_at = now;
}

cJSON *node_health_json(const struct node_health *h, time_t now)
{
	cJSON *o = health_verdict_json(&h->verdict);
	if (!o)
		return NULL;
	cJSON_AddNumberToObject(o, "agent_uptime_seconds", (double)(now - h->started_at));
	cJSON_AddItemToObject(o, "facts", node_facts_json(&h->facts));
	return o;
}
