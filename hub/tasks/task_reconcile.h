/* The hub's side of the reconciliation after each welcome (docs/protocol.md, "Reconciliation"):
 * a node's task_report answered with a task_manifest, and its task_stop_verify with a
 * task_stop_confirm. A hub whose counters are behind what the node saw it acknowledge was
 * restored from an older database: it adopts the node's tasks it does not know instead of
 * stopping them, and confirms no stop of a task it does not know. Tasks the hub has delivered
 * to the node that the node's complete report lacks are marked STOPPED, never moved elsewhere
 * (as ECS: a service's scheduler replaces them as any stopped task). */
#pragma once

#include <stdbool.h>
#include <stdint.h>

#include <cjson/cJSON.h>

#include "hub/store/store.h"

/* Why a task the node does not have is STOPPED. */
#define RECONCILE_MISSING_REASON \
	"Task not found on its container instance when the agent reconnected"

/* What one link's reconciliation keeps between its frames. */
struct task_reconcile_link {
	char cluster[256];          /* the node's */
	uint64_t welcome_agent_seq; /* the counters the welcome told the agent */
	uint64_t welcome_hub_seq;
	bool reported;              /* a task_report was applied on this link */
	bool behind;                /* it showed this hub lost history it had acknowledged */
};

struct task_reconcile_result {
	bool behind;
	size_t adopted, not_adopted, missing_stopped;
};

/* Applies node_id's task_report in one transaction: *ret_manifest is the task_manifest
 * answering it (caller frees). -EBADMSG with err naming the field when the report is not valid
 * (nothing changed), another negative errno when the store failed (rolled back). */
int task_reconcile_report(struct hub_store *s, const char *node_id, struct task_reconcile_link *l,
			  const cJSON *report, char **ret_manifest,
			  struct task_reconcile_result *ret_result, struct error *err);

/* Answers node_id's task_stop_verify: *ret_confirm is the task_stop_confirm naming the tasks
 * to stop (caller frees): this node's tasks desired STOPPED, and tasks the hub does not know
 * at all when a report on this link showed it not behind. -EBADMSG as above. */
int task_reconcile_verify(struct hub_store *s, const char *node_id,
			  const struct task_reconcile_link *l, const cJSON *verify,
			  char **ret_confirm, struct error *err);
