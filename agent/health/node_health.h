/* The node's health as the daemon keeps it: a round of facts and self-checks every
 * NODE_HEALTH_ROUND_S seconds, and the decision when to tell the hub (a node_status frame):
 * after every welcome, at once when the verdict or the resources change, and otherwise once
 * every NODE_HEALTH_REPORT_S seconds, so that the hub's figures (load, memory, disk) are at
 * most that old while an idle fleet costs the hub one small frame per node per minute. */
#pragma once

#include <stdbool.h>
#include <stdint.h>
#include <time.h>

#include <cjson/cJSON.h>

#include "agent/health/health_verdict.h"
#include "agent/health/node_facts.h"
#include "agent/health/self_checks.h"

#define NODE_HEALTH_ROUND_S 15
#define NODE_HEALTH_REPORT_S 60
/* The cgroup tree is probed once a report period: under the systemd driver each probe is a
 * transient slice started and stopped, which systemd logs. */
#define NODE_HEALTH_CGROUP_PROBE_S NODE_HEALTH_REPORT_S

struct node_health {
	struct health_verdict verdict;
	struct node_facts facts;
	uint64_t cpu_units, memory_mib; /* the resources as last reported */
	time_t started_at, last_report_at, last_cgroup_probe_at;
	bool changed;                   /* something the hub has not been told yet */
};

void node_health_init(struct node_health *h, time_t now);

/* A round at NOW: facts, self-checks, and whether the resources CPU_UNITS and MEMORY_MIB
 * moved. Returns true when a report is due now (a change, or the period is over). */
bool node_health_round(struct node_health *h, const struct self_check_context *c,
		       uint64_t cpu_units, uint64_t memory_mib, time_t now);

/* A report was sent at NOW. */
void node_health_reported(struct node_health *h, time_t now);

/* {"verdict": ..., "facts": ..., "agent_uptime_seconds": ...} for the node_status frame;
 * NULL: no memory. */
cJSON *node_health_json(const struct node_health *h, time_t now);
