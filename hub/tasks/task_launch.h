/* Starting and stopping one task, as RunTask, StopTask and the service scheduler do it: a task
 * is placed, stored and its assignment queued for its node in the caller's transaction, so an
 * assignment is never lost between the decision and the agent; a stop is recorded and its
 * frame queued the same way. */
#pragma once

#include "hub/store/store.h"
#include "protocol/arn.h"
#include "protocol/taskdef.h"

/* What a task to start is made of. */
struct task_launch {
	const char *cluster, *family, *body; /* body: the definition's stored JSON */
	long long revision;
	const struct taskdef *td;
	const char *started_by, *group, *client_token; /* NULL: none (see task_store_new) */
	const char *overrides; /* RunTask's, as JSON text (body has them merged); NULL: none */
};

/* Starts one task of l on node_id when the caller placed it, else wherever scheduler_place
 * finds room now: 0 with task_id filled, 1 with *ret_reason (an ECS failure reason) when it
 * cannot be placed, a negative errno on a store failure. */
int task_launch_one(struct hub_store *s, const struct task_launch *l, const char *node_id,
		    char task_id[HUB_ID_HEX + 1], const char **ret_reason, struct error *err);

/* Asks task_id of cluster to stop, with stop_code ("UserInitiated",
 * "ServiceSchedulerInitiated") and reason: 0 when asked (or already desired STOPPED), 1 when
 * there is no such task. A task its agent never acknowledged stops at once. */
int task_launch_stop(struct hub_store *s, const char *cluster, const char *task_id,
		     const char *stop_code, const char *reason, struct error *err);
