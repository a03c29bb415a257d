/* After a reboot: the containers the host's going down killed start again
 * (agent/tasks/task_boot_restore.c). */
#pragma once

#include <stdbool.h>
#include <stddef.h>

#include "agent/tasks/task_manager_internal.h"

/* C's end was decided as its restart after the reboot (it is RESTARTING, its restart counted):
 * it carries BOOT_RESTORE_REASON, waits for its dependsOn, and its task's cgroup is made
 * again before it starts. */
void tm_boot_restore_begin(struct tm_task *t, struct tm_container *c);

/* Whether container I of T, restoring, may start now: its dependencies are met. One that can
 * no longer be met ends it (EXITED, exit code unknown, the dependsOn reason), for the task's
 * rules to decide in this tick. */
bool tm_boot_restore_ready(struct tm_task *t, size_t i);
