/* A container instance leaving its cluster, whoever asks: the operator
 * (DeregisterContainerInstance) or the node itself (its `deregister` frame). The node turns
 * INACTIVE for good: placement passes it by, its next hello is refused with 4004, and its open
 * link is woken to close with 4004 once the change is committed. */
#pragma once

#include <stdbool.h>

#include "hub/store/store.h"

#define NODE_STATUS_MAX 16
/* The stopped reason of the tasks the hub still counted when a node left. */
#define NODE_LEFT_REASON "Container instance deregistered"

/* The node behind container instance instance_id of cluster: 0 with its node id and status
 * ("ACTIVE", "INACTIVE"), 1 when there is none. */
int node_find_instance(struct hub_store *s, const char *cluster, const char *instance_id,
		       char ret_node_id[64], char ret_status[NODE_STATUS_MAX], struct error *err);

/* Mark node_id INACTIVE and orphan its tasks (hub/tasks/task_store.h) with reason; the caller
 * owns the transaction. */
int node_deregister(struct hub_store *s, const char *node_id, const char *reason,
		    struct error *err);

/* False when the node is INACTIVE or unknown; true when it is ACTIVE, DRAINING or the store cannot say
 * (a link is not closed on a read failure). */
bool node_is_active(struct hub_store *s, const char *node_id);
