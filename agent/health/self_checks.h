/* The node's self-checks, each a real attempt at what tasks need: a write to the state
 * database, a cgroup made and removed through the chosen cgroup driver where tasks go, the
 * image store measured against its budget. Each takes milliseconds, so they run on the
 * daemon's event loop (agent/health/node_health.c says how often). */
#pragma once

#include <stdbool.h>
#include <stdint.h>

#include "agent/health/health_verdict.h"
#include "agent/state/store.h"

struct self_check_context {
	const char *state_dir;
	struct store *store;            /* with no deferred writes pending */
	uint64_t image_store_budget;    /* bytes; 0: no budget */
};

/* Fill ROUND[HEALTH_CHECK_COUNT]; the cgroup tree's entry only when PROBE_CGROUPS (it is left
 * as it was otherwise). */
void self_checks_run(const struct self_check_context *c, bool probe_cgroups,
		     struct health_check_result round[HEALTH_CHECK_COUNT]);

/* The image store's check alone, from figures: over BUDGET (when not 0) it fails naming both
 * and the option that sets the budget. */
void self_check_image_budget(uint64_t used_bytes, uint64_t budget_bytes, const char *store_dir,
			     struct health_check_result *ret);
