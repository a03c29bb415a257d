/* An agent's task_state frame applied to the store exactly once per node: 1 when applied now;
 * frames at or below the node's highest applied seq are acknowledged again without effect (0).
 * A malformed frame changes nothing but consumes its seq and returns -EBADMSG (refuse it, and
 * ack it, since resending can never make it valid); other errors leave the seq for a later
 * resend. A node changes only its own tasks and their containers. */
#pragma once

#include <stdint.h>

#include <cjson/cJSON.h>

#include "hub/store/store.h"

int task_state_apply(struct hub_store *s, const char *node_id, uint64_t seq, const cJSON *frame,
		     struct error *err);

/* The same frame's task and containers applied without its seq (the state a task_report
 * carries for a hub that lost it): 1 applied, 0 not a task of this node, -EBADMSG not valid,
 * -EIO on a store failure. The caller owns the transaction. */
int task_state_apply_unsequenced(struct hub_store *s, const char *node_id, const cJSON *frame,
				 struct error *err);
