/* Whether one named container instance can take a task now (StartTask places on the instances
 * the operator names, not where the scheduler would). */
#pragma once

#include <stdint.h>

#include "hub/store/store.h"

/* 0 when node_id is ACTIVE, connected and has cpu and memory left after its tasks not
 * STOPPED; 1 with *ret_reason ECS's failure reason otherwise: its status when not ACTIVE
 * ("INACTIVE", "DRAINING"), "AGENT" when its agent is not connected, "RESOURCE:MEMORY",
 * "RESOURCE:CPU"; a negative errno on a store failure. */
int instance_fit(struct hub_store *s, const char *node_id, uint32_t cpu, uint32_t memory,
		 const char **ret_reason, struct error *err);
