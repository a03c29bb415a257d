/* A task manager report as the task_state frame of docs/protocol.md (without its seq: the
 * outbox gives it one). */
#pragma once

#include <cjson/cJSON.h>

#include "agent/tasks/task_manager.h"

/* NULL on allocation failure. at is the agent's clock in seconds. */
cJSON *task_state_frame_new(const struct task_report *report, double at);
