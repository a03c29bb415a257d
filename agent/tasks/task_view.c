#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "agent/tasks/task_health.h"
#include "agent/tasks/task_manager_internal.h"
#include "agent/tasks/task_view.h"

static void view_container(const struct tm_container *c, struct container_view *v)
{
	enum task_status status = container_status(c);
	*v = (struct container_view){
		.name = c->def->name,
		.image = c->def->image,
		.known_status = task_status_to_string(status),
		.health = c->def->health_check.argv ? container_health_name(c->health) : NULL,
		.health_output = c->health_output,
		.has_exit_code = c->has_exit_code && status == TASK_STOPPED,
		.exit_code = c->exit_code,
		.reason = c->reason,
		.pid = status == TASK_RUNNING ? c->h.pid : 0,
		.dir = c->h.dir,
		.cgroup = c->h.cgroup,
		.cpu = c->def->cpu,
		.memory_mib = c->def->memory_mib,
		.memory_reservation_mib = c->def->memory_reservation_mib,
		.essential = c->def->essential,
		.has_restart_policy = c->def->restart_policy.enabled,
		.restart_count = c->restart.count,
	};
}

int task_view_count(void *userdata, const struct task_view *view)
{
	struct task_status_counts *c = userdata;
	if (!strcmp(view->known_status, "PENDING"))
		c->pending++;
	else if (!strcmp(view->known_status, "RUNNING"))
		c->running++;
	else
		c->stopped++;
	return 0;
}

int task_manager_foreach_view(const struct task_manager *tm,
			      int (*fn)(void *userdata, const struct task_view *view),
			      void *userdata)
{
	for (const struct tm_task *t = tm->tasks; t; t = t->next) {
		size_t n = t->td ? t->td->n_containers : 0;
		struct container_view *containers = calloc(n ? n : 1, sizeof(*containers));
		if (!containers)
			return -ENOMEM;
		for (size_t i = 0; i < n; i++)
			view_container(&t->containers[i], &containers[i]);
		struct task_view v = {
			.arn = t->arn,
			.id = t->id,
			.family = t->td ? t->td->family : NULL,
			.network_mode = t->td && t->td->network_mode ? t->td->network_mode : "host",
			.known_status = task_status_to_string(t->status),
			.desired_status = t->stop_code || t->status == TASK_STOPPED ? "STOPPED"
										      : "RUNNING",
			.stop_code = t->stop_code,
			.stopped_reason = t->stopped_reason,
			.health = tm_task_has_health_check(t) ? container_health_name(tm_task_health(t))
							      : NULL,
			.cpu = t->td ? t->td->cpu : 0,
			.memory_mib = t->td ? t->td->memory_mib : 0,
			.pull_started_at = t->pull_started_at,
			.pull_stopped_at = t->pull_stopped_at,
			.containers = containers,
			.n_containers = n,
		};
		int r = fn(userdata, &v);
		free(containers);
		if (r < 0)
			return r;
	}
	return 0;
}
