/* Containers' health as their monitors decide it (container/health_record.h), taken into the
 * task manager: read at most once a second per task from each running container's
 * health.json, also for containers adopted after an agent restart. Only a change of a
 * container's status changes what the task reports (the output kept is the one of the check
 * that made the change), so checks that keep failing send the hub nothing new. */
#pragma once

#include <stdbool.h>
#include <stdint.h>

#include "agent/tasks/task_manager_internal.h"

/* How often a task's health records are read. */
#define TASK_HEALTH_READ_MS 1000

/* Read the records due at NOW_MS (monotonic); true when a container's health changed. */
bool tm_task_read_health(struct tm_task *t, int64_t now_ms);

/* ECS's aggregate over the essential containers that have a healthCheck: UNHEALTHY when one
 * is, else UNKNOWN when one is, else HEALTHY; UNKNOWN when none has a check. */
enum container_health tm_task_health(const struct tm_task *t);
/* True when any container of the task has a healthCheck. */
bool tm_task_has_health_check(const struct tm_task *t);
