/* A node's health as the hub keeps and shows it: the verdict and self-checks its agent sends
 * in node_status (docs/protocol.md), stamped with the hub's own clock (edge clocks are wrong),
 * stored with the node (nodes.health), and shown by DescribeContainerInstances as ECS's
 * healthStatus, with the failing checks' reasons in statusReason. */
#pragma once

#include <stdbool.h>
#include <stddef.h>

#include <cjson/cJSON.h>

#include "common/error.h"
#include "hub/store/store.h"

/* Bounds on what an agent may send: more is refused, naming the field. */
#define NODE_HEALTH_MAX_CHECKS 16
#define NODE_HEALTH_MAX_REASON 2048
#define NODE_HEALTH_MAX_FACTS 8192 /* bytes of the facts object, printed */

/* The stored form of HEALTH (a node_status frame's "health") received at NOW, given the
 * stored form of the report before it (PREVIOUS, may be NULL): each check's changed_at is
 * NOW when its status differs from PREVIOUS, else kept. NULL with WHY (naming the field) when
 * HEALTH is not valid. */
cJSON *node_health_merge(const cJSON *health, const cJSON *previous, double now, char *why,
			 size_t why_size);

/* Store HEALTH for NODE_ID (inside the caller's transaction). 1 with WHY when it was not
 * valid (nothing stored), 0 when stored, negative with ERR when the store failed. */
int node_health_store(struct hub_store *s, const char *node_id, const cJSON *health,
		      char *why, size_t why_size, struct error *err);

/* Add healthStatus (and statusReason when impaired) to the DescribeContainerInstances view
 * INSTANCE from the stored text STORED (NULL or "": nothing reported yet). A node whose agent
 * is not connected is INSUFFICIENT_DATA: its last report says nothing of now. */
void node_health_view(const char *stored, bool connected, cJSON *instance);
