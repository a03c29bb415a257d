/* Where the service scheduler puts a task: the one placement entry of hub/services/. */
#pragma once

#include <cjson/cJSON.h>

#include "hub/store/store.h"
#include "protocol/taskdef.h"

/* The service's own placementConstraints and placementStrategy (CreateService's, parsed;
 * NULL when not given). */
struct service_placement {
	const cJSON *constraints, *strategies;
};

/* A node of cluster for one task of td, of the service's task group ("service:NAME"): one
 * that meets the definition's placementConstraints and the service's, chosen by the service's
 * strategies (else the instance with the most memory left); on only_node when given (a DAEMON
 * task; it must be ACTIVE, connected, have room and meet the constraints too). 0 with
 * node_id, 1 with *ret_reason (an ECS failure reason), or a negative errno. */
int service_place(struct hub_store *s, const char *cluster, const char *group,
		  const struct taskdef *td, const struct service_placement *sp,
		  const char *only_node, char node_id[64], const char **ret_reason,
		  struct error *err);
