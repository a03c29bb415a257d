/* Containers the host's reboot killed, started again from the agent's own state
 * (task_manager_config.restore_after_reboot). Their end is decided as a restart by
 * tm_restart_exits, so it is counted, recorded before the start and reported once, as the
 * restart policy's restarts are (task_restart.c); here is what differs from those: the start
 * waits for the container's dependsOn as a first start does, since every container of the task
 * went down together, and the task's own cgroup is made again first. */
#include "agent/tasks/task_boot_restore.h"

#include <stdlib.h>
#include <string.h>

#include "agent/tasks/task_depends.h"
#include "common/clock.h"
#include "common/log.h"

void tm_boot_restore_begin(struct tm_task *t, struct tm_container *c)
{
	c->lost_by_reboot = false;
	c->restoring = true;
	c->started_at_ms = 0; /* a dependent's startTimeout counts from this start */
	free(c->reason);
	c->reason = strdup(BOOT_RESTORE_REASON);
	c->restore_note = c->reason != NULL;
	t->cgroup_gone = true;
}

bool tm_boot_restore_ready(struct tm_task *t, size_t i)
{
	struct tm_container *c = &t->containers[i];
	int64_t now = monotonic_ms();
	task_depends_note_starts(t, now);
	char *reason = NULL;
	enum depends_verdict v = task_depends_verdict(t, i, now, &reason);
	if (v == DEPENDS_MET)
		return true;
	if (v == DEPENDS_WAIT)
		return false;
	/* Its dependency cannot be met again: it ran before the reboot, so this is its end. */
	log_info("Task %s: container %s is not started again after the reboot: %s", t->id,
		 c->def->name, reason ? reason : "dependsOn");
	free(c->reason);
	c->reason = reason ? reason : strdup("CannotStartContainerError: dependsOn");
	c->restore_note = false;
	c->restoring = false;
	container_handle_apply(&c->h, CONTAINER_EVENT_ENDED);
	c->exit_known = false;
	c->exited_now = true;
	t->changed = true;
	return false;
}
