/* Placement: a task goes to an ACTIVE, connected container instance of its cluster with enough
 * remaining CPU and memory (registered minus the reservations of its tasks not STOPPED). */
#pragma once

#include <stdint.h>

#include "hub/store.h"

/* What a node has reserved by tasks that are not STOPPED. */
int scheduler_reserved(struct hub_store *s, const char *node_id, long long *ret_cpu,
		       long long *ret_memory);

/* Choose the node with the most remaining memory that fits; 0 and node_id filled, or 1 with
 * *ret_reason the ECS failure reason ("RESOURCE:MEMORY", "RESOURCE:CPU", "AGENT",
 * "NO_ACTIVE_INSTANCES"), or a negative errno on a store failure. */
int scheduler_place(struct hub_store *s, const char *cluster, uint32_t cpu, uint32_t memory,
		    char node_id[64], const char **ret_reason, struct error *err);
