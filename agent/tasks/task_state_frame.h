/* A task manager report as the task_state frame of docs/protocol.md (without its seq: the
 * outbox gives it one). */
#pragma once

#include <stdint.h>

#include <cjson/cJSON.h>

#include "agent/state/store.h"
#include "agent/tasks/task_manager.h"

/* NULL on allocation failure. at is the agent's clock in seconds. */
cJSON *task_state_frame_new(const struct task_report *report, double at);
/* The same, stamped with the agent's clock now. */
cJSON *task_state_frame_now(const struct task_report *report);

/* The report as a task_state frame stamped now, appended to store's outbox
 * (store_task_state_append): *ret_seq is its seq and *ret_text the frame to send (caller
 * frees), or 0 and NULL when it tells nothing new. */
int task_state_record(struct store *s, const struct task_report *report, uint64_t *ret_seq,
		      char **ret_text, struct error *err);
