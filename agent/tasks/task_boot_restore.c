/* Containers the host's reboot killed, started again from the agent's own state
 * (task_manager_config.restore_after_reboot, docs/architecture.md "After a reboot").
 *
 * After a reboot the state dir is all that is left, and not all of it: the files the agent and
 * the monitors write without fsync (config.json, monitor.pid, pid) may come back empty or not
 * at all from a power cut. So a container is taken for one the reboot killed when a monitor
 * was started in its folder (the lock file, made before the spawn) and left no exit record
 * (or, after a clean reboot, one written after the agent saw the host shutting down, when the
 * shutdown stopped the container), and it is started again as a first start is, not from its old config.json: images (from the
 * store), configuration written anew, the task's cgroup made again, in dependsOn order. The
 * start counts as a restart of the container, recorded (and owed) before it is made, as the
 * restart policy's restarts are (task_restart.c), so an agent killed in between makes it once
 * and counts it once. */
#include "agent/tasks/task_boot_restore.h"

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "common/log.h"
#include "container/monitor_lock.h"
#include "runtime/container_adopt.h"

#define WENT_DOWN_REASON "ContainerRuntimeError: the host went down under it; exit code unknown"

/* A clean reboot stops the agent before the containers (tether.service first; the monitors,
 * signalled by the shutdown, then record their containers' ends): an exit recorded once the
 * agent had seen the host shutting down is the shutdown's doing, not the container's. */
static bool ended_by_shutdown(const struct task_manager *tm, const struct tm_task *t,
			      const struct tm_container *c)
{
	int64_t at;
	if (tm->cfg.host_stopping_at <= 0 || container_exit_recorded_at(c->h.dir, &at) < 0 ||
	    at < tm->cfg.host_stopping_at)
		return false;
	log_info("Task %s: container %s ended %" PRId64 " s after the agent saw the host shutting "
		 "down: the shutdown stopped it", t->id, c->def->name, at - tm->cfg.host_stopping_at);
	return true;
}

bool tm_boot_restore_found(const struct task_manager *tm, const struct tm_task *t,
			   struct tm_container *c)
{
	if (!tm->cfg.restore_after_reboot || monitor_lock_probe(c->h.dir) != 0)
		return false;
	enum container_found found = container_inspect(c->h.dir);
	c->lost_by_reboot = found == CONTAINER_FOUND_LOST || found == CONTAINER_FOUND_NOT_STARTED ||
			    (found == CONTAINER_FOUND_EXITED && ended_by_shutdown(tm, t, c));
	return c->lost_by_reboot;
}

static bool any_container(const struct tm_task *t, bool undecided_only)
{
	for (size_t i = 0; t->td && i < t->td->n_containers; i++)
		if (t->containers[i].lost_by_reboot ||
		    (!undecided_only && t->containers[i].restoring))
			return true;
	return false;
}

bool tm_boot_restore_pending(const struct tm_task *t)
{
	return any_container(t, false);
}

bool tm_boot_restore_undecided(const struct tm_task *t)
{
	return any_container(t, true);
}

static void note_restoring(struct tm_container *c)
{
	c->h.ran_before = true;
	c->restoring = true;
	free(c->reason);
	c->reason = strdup(BOOT_RESTORE_REASON);
	c->restore_note = c->reason != NULL;
}

void tm_boot_restore_owed(struct tm_container *c)
{
	note_restoring(c);
}

/* Counted and recorded first; the ordinary start follows from a later tick. */
static void restore(struct task_manager *tm, struct tm_task *t, struct tm_container *c)
{
	if (tm_restart_record(tm, t, c) < 0) {
		/* It runs all the same, as a start not counted. */
		log_error("Task %s: container %s starts again after the reboot, but its restart "
			  "cannot be recorded", t->id, c->def->name);
		return;
	}
	log_info("Task %s: container %s was running when the host went down; starting it again "
		 "(restart %u)", t->id, c->def->name, c->restart.count);
	note_restoring(c);
}

void tm_boot_restore_decide(struct task_manager *tm, struct tm_task *t)
{
	for (size_t i = 0; t->td && i < t->td->n_containers; i++) {
		struct tm_container *c = &t->containers[i];
		if (!c->lost_by_reboot)
			continue;
		c->lost_by_reboot = false;
		t->changed = true;
		if (c->h.state == CONTAINER_PULLING && !t->stop_code) {
			restore(tm, t, c);
			continue;
		}
		/* Its task stops (a stop asked before the reboot, an essential container that had
		 * ended on its own): it stays down, as a lost monitor's container is reported. */
		log_info("Task %s: container %s went down with the host; not started again: its "
			 "task is stopping", t->id, c->def->name);
		if (c->h.state == CONTAINER_PULLING)
			container_handle_apply(&c->h, CONTAINER_EVENT_STOP_ASKED);
		free(c->reason);
		c->reason = strdup(WENT_DOWN_REASON);
	}
}

void tm_boot_restore_started(struct task_manager *tm, struct tm_task *t, struct tm_container *c)
{
	c->restart.owed_after_monitor = 0;
	if (tm_restart_save(tm, t, c) < 0)
		log_warning("Task %s: container %s: its restart record is not updated", t->id,
			    c->def->name);
}
