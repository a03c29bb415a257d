/* What RunTask and StartTask share: the members both read and the launch of one task on a
 * node, so that a task started either way is the same task. */
#pragma once

#include <stdbool.h>

#include "hub/api.h"
#include "protocol/arn.h"
#include "protocol/taskdef.h"

/* What every task of one request shares. */
struct run_plan {
	char family[256];
	const char *cluster, *body;
	long long revision;
	const struct taskdef *td;
	const char *started_by, *group, *client_token;
	const cJSON *tags;      /* the request's tags (checked), NULL: none */
	bool tags_from_taskdef; /* propagateTags TASK_DEFINITION */
	bool managed_tags;      /* enableECSManagedTags: aws:ecs:clusterName */
};

/* Reads taskDefinition (an ACTIVE revision), startedBy, group, tags, propagateTags and
 * enableECSManagedTags of req into p for cluster; *ret_body and *ret_td (caller frees) back
 * p's body and td. */
int run_plan_read(struct hub_store *s, const cJSON *req, const char *cluster, struct run_plan *p,
		  char **ret_body, struct taskdef **ret_td, struct api_fault *f);

/* Place and queue one task with its tags, on node_id when the caller placed it, else wherever
 * it fits now; 1 with *ret_reason when it cannot be placed. The caller owns the transaction. */
int run_plan_launch_one(struct hub_store *s, const struct run_plan *p, const char *placed_on,
			char task_id[HUB_ID_HEX + 1], const char **ret_reason, struct error *err);

/* The fault for run_plan_launch_one's failure r: a task past ECS's tag limit is the
 * request's fault, anything else the store's. */
int run_plan_launch_fault(int r, const struct error *err, struct api_fault *f);
