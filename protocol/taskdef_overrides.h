/* RunTask's overrides (ECS TaskOverride): merged into a copy of a task definition's JSON
 * before it is validated and sent, so a task with overrides is an ordinary definition to the
 * agent. containerOverrides[].command replaces the container's command, environment entries
 * replace the variable of the same name or are appended, cpu, memory and memoryReservation
 * replace the container's; the task-level cpu and memory replace the definition's. */
#pragma once

#include <cjson/cJSON.h>

#include "common/error.h"

/* def: a task definition object, changed in place. Every member tether does not implement
 * (taskRoleArn, containerOverrides[0].environmentFiles, ...) and every containerOverride
 * naming no container of def is named in one error, and def is then unchanged in meaning
 * (it may have been partly merged: the caller discards it). A member whose value asks for
 * nothing (null, false, [], {}) is taken as absent. */
int taskdef_apply_overrides(cJSON *def, const cJSON *overrides, struct error *err);
