/* Resuming the tasks of an earlier agent after a restart (crash, kill -9, upgrade): their
 * containers outlived it under their monitors. Each container's state folder decides
 * (runtime/container_adopt.h):
 * - a live monitor is adopted: the container is RUNNING, nothing is started again;
 * - an exit recorded while no agent ran is reported with its real exit code and reason, and the
 *   essential container rules apply as if it had just ended;
 * - a monitor that died without a record: the container's cgroup is killed, and the container
 *   is reported STOPPED without an exit code;
 * - a container never started (the agent ended while the images were prepared, before it got
 *   to that container, or while it waited for its dependsOn): the preparation runs again and
 *   only those containers start, when their dependencies allow.
 * Before that, a container's restart record (task_restart.c) is read back: its count goes on,
 * and a restart recorded but not yet made when the agent ended is made now, once. After a
 * reboot (restore_after_reboot) a container whose monitor the host's going down killed is not
 * adopted: it starts again as a first start does (task_boot_restore.c), unless its task stops.
 * The task resumes at the status last reported, so an unchanged task reports nothing. */
#include "agent/tasks/task_boot_restore.h"
#include "agent/tasks/task_manager_internal.h"
#include "runtime/container_adopt.h"

static void adopt_container(struct task_manager *tm, struct tm_task *t, struct tm_container *c)
{
	if (tm_restart_resume(tm, t, c) || tm_boot_restore_found(tm, t, c))
		return;
	struct exit_record rec = { 0 };
	/* A live or lost container is RUNNING once its pid is known; a lost one's end is
	 * reported once its cgroup is empty. */
	if (container_handle_adopt(&c->h, tm->watch, c, &rec) == CONTAINER_FOUND_EXITED) {
		tm_container_ended(c, &rec);
		exit_record_done(&rec);
	}
}

int task_manager_resume_task(struct task_manager *tm, const char *task_arn,
			     const cJSON *task_definition, enum task_status last_reported,
			     struct error *err)
{
	struct tm_task *t;
	int r = tm_task_create(tm, task_arn, task_definition, &t, err);
	if (r < 0 || !t)
		return r;
	if (last_reported == TASK_RUNNING)
		t->status = TASK_RUNNING;
	bool all_started = true;
	for (size_t i = 0; i < t->td->n_containers; i++) {
		adopt_container(tm, t, &t->containers[i]);
		all_started &= t->containers[i].h.state != CONTAINER_PULLING;
	}
	if (!all_started && (r = tm_task_pull(tm, t, err)) < 0) {
		/* Containers already running are stopped by the failure's stop sequence. */
		tm_task_refuse(tm, t, err->message);
		return r;
	}
	/* The first tick reports what changed while no agent ran. */
	return 0;
}
