#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "agent/tasks/task_health.h"
#include "common/cleanup.h"
#include "common/log.h"
#include "container/health_record.h"
#include "container/state_folder.h"

static bool read_container(struct tm_container *c)
{
	char path[4096];
	if (snprintf(path, sizeof(path), "%s/%s", c->h.dir, CONTAINER_HEALTH_FILE) >=
	    (int)sizeof(path))
		return false;
	struct health_record rec = { 0 };
	struct error err = { 0 };
	int r = health_record_read(path, &rec, &err);
	if (r < 0) {
		if (r != -ENOENT)
			log_warning("%s", err.message);
		return false;
	}
	bool changed = rec.status != c->health;
	if (changed) {
		c->health = rec.status;
		free(c->health_output);
		c->health_output = NULL;
		if (rec.status != CONTAINER_HEALTH_HEALTHY)
			c->health_output = TAKE_PTR(rec.output);
	}
	health_record_done(&rec);
	return changed;
}

bool tm_task_read_health(struct tm_task *t, int64_t now_ms)
{
	if (!t->td || now_ms < t->health_read_at_ms)
		return false;
	t->health_read_at_ms = now_ms + TASK_HEALTH_READ_MS;
	bool changed = false;
	for (size_t i = 0; i < t->td->n_containers; i++) {
		struct tm_container *c = &t->containers[i];
		if (c->def->health_check.argv && c->h.pid && !container_state_is_final(c->h.state))
			changed |= read_container(c);
	}
	return changed;
}

enum container_health tm_task_health(const struct tm_task *t)
{
	bool any = false, unknown = false;
	for (size_t i = 0; t->td && i < t->td->n_containers; i++) {
		const struct tm_container *c = &t->containers[i];
		if (!c->def->essential || !c->def->health_check.argv)
			continue;
		any = true;
		if (c->health == CONTAINER_HEALTH_UNHEALTHY)
			return CONTAINER_HEALTH_UNHEALTHY;
		unknown |= c->health == CONTAINER_HEALTH_UNKNOWN;
	}
	return any && !unknown ? CONTAINER_HEALTH_HEALTHY : CONTAINER_HEALTH_UNKNOWN;
}

bool tm_task_has_health_check(const struct tm_task *t)
{
	for (size_t i = 0; t->td && i < t->td->n_containers; i++)
		if (t->containers[i].def->health_check.argv)
			return true;
	return false;
}
