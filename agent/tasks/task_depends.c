/* dependsOn as ECS's agent applies it: a container starts once every dependency meets its
 * condition, gives up when one no longer can (or its startTimeout passes first), and the task
 * stops dependents before what they depend on. */
#include "agent/tasks/task_depends.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "runtime/container_state.h"

static bool condition_has_time_limit(enum taskdef_condition condition)
{
	/* START is met as soon as the dependency runs at all: nothing to wait for. */
	return condition != TASKDEF_CONDITION_START;
}

static enum depends_verdict judge_condition(enum taskdef_condition condition,
					    const struct depends_fact *dep)
{
	if (!dep->started)
		return dep->ended ? DEPENDS_NEVER : DEPENDS_WAIT;
	switch (condition) {
	case TASKDEF_CONDITION_START:
		return DEPENDS_MET;
	case TASKDEF_CONDITION_COMPLETE:
		return dep->ended ? DEPENDS_MET : DEPENDS_WAIT;
	case TASKDEF_CONDITION_SUCCESS:
		if (!dep->ended)
			return DEPENDS_WAIT;
		return dep->has_exit_code && dep->exit_code == 0 ? DEPENDS_MET : DEPENDS_NEVER;
	case TASKDEF_CONDITION_HEALTHY:
		if (dep->ended)
			return DEPENDS_NEVER;
		return dep->health == CONTAINER_HEALTH_HEALTHY ? DEPENDS_MET : DEPENDS_WAIT;
	}
	return DEPENDS_NEVER;
}

enum depends_verdict depends_judge(enum taskdef_condition condition, const struct depends_fact *dep,
				   int64_t now_ms)
{
	enum depends_verdict v = judge_condition(condition, dep);
	if (v == DEPENDS_WAIT && dep->started && dep->start_timeout_s &&
	    condition_has_time_limit(condition) &&
	    now_ms - dep->started_at_ms >= (int64_t)dep->start_timeout_s * 1000)
		return DEPENDS_TIMED_OUT;
	return v;
}

char *depends_reason(const char *name, enum taskdef_condition condition,
		     const struct depends_fact *dep, enum depends_verdict verdict)
{
	const char *cond = taskdef_condition_name(condition);
	char why[160];
	if (verdict == DEPENDS_TIMED_OUT)
		snprintf(why, sizeof(why), "did not reach %s within its startTimeout of %u s "
			 "(dependency timed out)", cond, dep->start_timeout_s);
	else if (!dep->started)
		snprintf(why, sizeof(why), "never started (dependency will never start)");
	else if (condition == TASKDEF_CONDITION_HEALTHY)
		snprintf(why, sizeof(why), "exited before it was HEALTHY");
	else if (dep->has_exit_code)
		snprintf(why, sizeof(why), "exited with code %d (dependency did not exit "
			 "successfully)", dep->exit_code);
	else
		snprintf(why, sizeof(why), "ended with its exit code unknown (dependency did not "
			 "exit successfully)");
	char *reason;
	if (asprintf(&reason, "CannotStartContainerError: dependsOn %s %s: %s %s", name, cond, name,
		     why) < 0)
		return NULL;
	return reason;
}

static struct depends_fact fact_of(const struct tm_container *c)
{
	bool ended = container_state_is_final(c->h.state);
	return (struct depends_fact){
		/* A container its restart policy restarts started before, and has not ended; one
		 * started again after a reboot has started once it is seen running again. */
		.started = c->h.state == CONTAINER_EXITED ||
			   (!ended && (c->h.pid != 0 || (c->h.ran_before && !c->restoring))),
		.ended = ended,
		.has_exit_code = c->has_exit_code,
		.exit_code = c->exit_code,
		.health = c->health,
		.started_at_ms = c->started_at_ms,
		.start_timeout_s = c->def->start_timeout,
	};
}

void task_depends_note_starts(struct tm_task *t, int64_t now_ms)
{
	for (size_t i = 0; i < t->td->n_containers; i++) {
		struct tm_container *c = &t->containers[i];
		if (!c->started_at_ms && fact_of(c).started)
			c->started_at_ms = now_ms;
	}
}

enum depends_verdict task_depends_verdict(const struct tm_task *t, size_t i, int64_t now_ms,
					  char **ret_reason)
{
	const struct taskdef_container *def = t->containers[i].def;
	enum depends_verdict all = DEPENDS_MET;
	*ret_reason = NULL;
	for (size_t j = 0; j < def->n_depends_on; j++) {
		const struct taskdef_dependency *d = &def->depends_on[j];
		int index = taskdef_container_index(t->td, d->container_name);
		/* The definition was validated: every name is another container of the task. */
		if (index < 0)
			continue;
		struct depends_fact dep = fact_of(&t->containers[index]);
		enum depends_verdict v = depends_judge(d->condition, &dep, now_ms);
		if (v == DEPENDS_NEVER || v == DEPENDS_TIMED_OUT) {
			*ret_reason = depends_reason(d->container_name, d->condition, &dep, v);
			return v;
		}
		if (v == DEPENDS_WAIT)
			all = DEPENDS_WAIT;
	}
	return all;
}

/* True when a container that depends on container I of T has not ended. */
static bool has_live_dependent(const struct tm_task *t, size_t i)
{
	const char *name = t->containers[i].def->name;
	for (size_t k = 0; k < t->td->n_containers; k++) {
		const struct tm_container *other = &t->containers[k];
		if (container_state_is_final(other->h.state))
			continue;
		for (size_t j = 0; j < other->def->n_depends_on; j++)
			if (!strcmp(other->def->depends_on[j].container_name, name))
				return true;
	}
	return false;
}

void task_depends_stop_ready(struct tm_task *t)
{
	/* Marking one container stopped can free another within the same pass; each pass ends
	 * at least one container or stops. */
	for (bool again = true; again;) {
		again = false;
		for (size_t i = 0; i < t->td->n_containers; i++) {
			struct container_handle *h = &t->containers[i].h;
			bool started = h->state == CONTAINER_STARTING || h->state == CONTAINER_RUNNING;
			/* Those stopping already, or ended, have had their stop; one not started, or
			 * between two starts of its restart policy, ends at once. */
			bool idle = h->state == CONTAINER_PULLING || h->state == CONTAINER_RESTARTING;
			if ((!started && !idle) ||
			    (started && has_live_dependent(t, i)))
				continue;
			enum container_state before = h->state;
			container_handle_stop(h);
			again = again || (container_state_is_final(h->state) && before != h->state);
		}
	}
}
