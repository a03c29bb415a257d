/* An agent's task_state frame applied to the store exactly once per node: frames at or below
 * the node's highest applied seq are acknowledged again without effect. */
#pragma once

#include <stdint.h>

#include <cjson/cJSON.h>

#include "hub/store.h"

int task_state_apply(struct hub_store *s, const char *node_id, uint64_t seq, const cJSON *frame,
		     struct error *err);
