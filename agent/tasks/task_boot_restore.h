/* After a reboot: the containers the host's going down killed start again
 * (agent/tasks/task_boot_restore.c). */
#pragma once

#include <stdbool.h>

#include "agent/tasks/task_manager_internal.h"

/* While task_manager_resume_task takes C of T back, before its folder is adopted: true when
 * the host rebooted under it (restore_after_reboot, and a monitor ran in its folder and is
 * gone without an exit record, or with one written once the agent had seen the host shutting
 * down, host_stopping_at); C then stays PULLING, lost_by_reboot, and is not adopted. */
bool tm_boot_restore_found(const struct task_manager *tm, const struct tm_task *t,
			   struct tm_container *c);

/* T has containers the reboot killed that are not decided or not started yet. */
bool tm_boot_restore_pending(const struct tm_task *t);
/* T has containers the reboot killed that are not decided yet. */
bool tm_boot_restore_undecided(const struct tm_task *t);

/* At the end of a tick's rules (the first after the agent's start): each container of T the
 * reboot killed is started again, counted as a restart (recorded through save_restart, owed
 * until its start, reported with BOOT_RESTORE_REASON), unless T stops; then it is reported
 * stopped with its exit code unknown. Its start is the task's ordinary start, from a later
 * tick, once what was recorded is durable. */
void tm_boot_restore_decide(struct task_manager *tm, struct tm_task *t);

/* After an agent restart within the boot: C's restart after the reboot was recorded and is
 * owed, but its folder cannot start it (a power cut emptied its config.json): C, PULLING, is
 * made restoring again, to start as a first start does, counted already. */
void tm_boot_restore_owed(struct tm_container *c);

/* C, restoring, was just started: the restart it owed is made. */
void tm_boot_restore_started(struct task_manager *tm, struct tm_task *t, struct tm_container *c);
