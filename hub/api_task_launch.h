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
	const char *overrides;  /* the request's, as JSON text; NULL: none */
	const cJSON *tags;      /* the request's tags (checked), NULL: none */
	bool tags_from_taskdef; /* propagateTags TASK_DEFINITION */
	bool managed_tags;      /* enableECSManagedTags: aws:ecs:clusterName */
};

/* What backs a run_plan's text and definition (run_plan_read fills it). */
struct run_plan_storage {
	char *body, *overrides;
	struct taskdef *td;
};
void run_plan_storage_release(struct run_plan_storage *st);

/* Reads taskDefinition (an ACTIVE revision), overrides (merged into the definition the task
 * runs: protocol/taskdef_overrides.h), startedBy, group, tags, propagateTags and
 * enableECSManagedTags of req into p for cluster; st (released by the caller) backs p. */
int run_plan_read(struct hub_store *s, const cJSON *req, const char *cluster, struct run_plan *p,
		  struct run_plan_storage *st, struct api_fault *f);

/* Place and queue one task with its tags, on node_id when the caller placed it, else wherever
 * it fits now; 1 with *ret_reason when it cannot be placed. The caller owns the transaction. */
int run_plan_launch_one(struct hub_store *s, const struct run_plan *p, const char *placed_on,
			char task_id[HUB_ID_HEX + 1], const char **ret_reason, struct error *err);

/* The fault for run_plan_launch_one's failure r: a task past ECS's tag limit is the
 * request's fault, anything else the store's. */
int run_plan_launch_fault(int r, const struct error *err, struct api_fault *f);
