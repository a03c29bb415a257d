#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "common/cleanup.h"
#include "common/log.h"
#include "hub/api.h"
#include "hub/rule_firing.h"
#include "hub/schedules/rule_store.h"
#include "hub/schedules/schedule_expr.h"
#include "protocol/json_value.h"

#define DUE_BATCH 64

struct firing {
	struct hub_store *s;
	const char *rule;
	char failure[512]; /* the first target's failure of this tick */
	int started;
};

static void note_failure(struct firing *fi, const char *target, const char *what, const char *why)
{
	if (!fi->failure[0])
		snprintf(fi->failure, sizeof(fi->failure), "target %s: %s%.400s", target, what, why);
}

/* RunTask as EventBridge calls it for an ECS target: startedBy events-rule/NAME. */
static int run_target(const struct rule_target *t, void *data)
{
	struct firing *fi = data;
	char started_by[RULE_NAME_MAX + 16];
	snprintf(started_by, sizeof(started_by), "events-rule/%s", fi->rule);
	_cleanup_(cjson_deletep) cJSON *req = cJSON_CreateObject();
	cJSON_AddStringToObject(req, "cluster", t->arn);
	cJSON_AddStringToObject(req, "taskDefinition", t->task_definition);
	cJSON_AddNumberToObject(req, "count", (double)t->task_count);
	cJSON_AddStringToObject(req, "launchType", t->launch_type ? t->launch_type : "EXTERNAL");
	cJSON_AddStringToObject(req, "startedBy", started_by);
	if (t->group)
		cJSON_AddStringToObject(req, "group", t->group);
	struct api_fault f = { 0 };
	_cleanup_(cjson_deletep) cJSON *answer = NULL;
	int depth = fi->s->depth;
	if (ecs_run_task(fi->s, req, &answer, &f) < 0) {
		/* RunTask's own part is undone; the tick is still recorded below. */
		while (fi->s->depth > depth)
			hub_store_rollback(fi->s);
		note_failure(fi, t->id, "", f.message);
		return 0;
	}
	const cJSON *tasks = cJSON_GetObjectItemCaseSensitive(answer, "tasks");
	const cJSON *failures = cJSON_GetObjectItemCaseSensitive(answer, "failures");
	fi->started += cJSON_GetArraySize(tasks);
	const cJSON *reason = cJSON_GetObjectItemCaseSensitive(cJSON_GetArrayItem(failures, 0),
							       "reason");
	if (cJSON_GetArraySize(failures) > 0)
		note_failure(fi, t->id, "a task could not be placed: ",
			     cJSON_IsString(reason) ? reason->valuestring : "no reason given");
	return 0;
}

/* The latest tick at or before now that is no older than the catch-up window, or -1. */
static int64_t tick_to_run(const struct schedule *sch, const struct rule_due *d, int64_t now,
			   int64_t *ret_next)
{
	int64_t from = d->last_tick;
	if (from < now - RULE_CATCH_UP_SECONDS - 1)
		from = now - RULE_CATCH_UP_SECONDS - 1;
	int64_t t = schedule_next(sch, d->anchor, from);
	if (t < 0 || t > now) {
		*ret_next = t;
		return -1;
	}
	for (int64_t n; (n = schedule_next(sch, d->anchor, t)) >= 0 && n <= now;)
		t = n;
	*ret_next = schedule_next(sch, d->anchor, t);
	return t;
}

static int fire(struct hub_store *s, const char *name, int64_t now, struct error *err)
{
	struct rule_due d;
	int r = rule_store_load(s, name, &d, err);
	if (r != 0)
		return r < 0 ? r : 0;
	struct schedule sch;
	if (schedule_parse(d.schedule, &sch, err) < 0)
		return error_wrap(err, "rule %s", name);
	int64_t next, tick = tick_to_run(&sch, &d, now, &next);
	int64_t first = schedule_next(&sch, d.anchor, d.last_tick);
	if (first >= 0 && first < now - RULE_CATCH_UP_SECONDS)
		log_warning("rule %s: ticks from %lld are older than %d s and were not run (the hub"
			    " was down, or their tasks could not be placed)", name, (long long)first,
			    RULE_CATCH_UP_SECONDS);
	if (hub_store_begin(s, err) < 0)
		return -EIO;
	struct firing fi = { .s = s, .rule = name };
	if (tick >= 0 && rule_store_each_target(s, name, run_target, &fi, err) < 0) {
		hub_store_rollback(s);
		return -EIO;
	}
	const char *failure = tick >= 0 && fi.failure[0] ? fi.failure : NULL;
	/* A tick that started nothing (its nodes not back yet after a restart, no room) is tried
	 * again each second while it is within the catch-up window: there is nothing to run twice. */
	bool retry = failure && fi.started == 0;
	if (rule_store_mark_tick(s, name, retry ? d.last_tick : tick >= 0 ? tick : now,
				 retry ? now + 1 : next, failure, err) < 0 ||
	    hub_store_commit(s, err) < 0) {
		hub_store_rollback(s);
		return -EIO;
	}
	if (failure && (!d.failing || strcmp(d.last_failure, failure) != 0))
		log_warning("rule %s: %s", name, failure);
	else if (tick >= 0 && !failure && d.failing)
		log_info("rule %s: its targets start their tasks again", name);
	return tick >= 0;
}

int rule_firing_run(struct hub_store *s, int64_t now, struct error *err)
{
	char names[DUE_BATCH][RULE_NAME_MAX + 1];
	int n = rule_store_due(s, now, names, DUE_BATCH, err);
	if (n < 0)
		return n;
	int fired = 0;
	for (int i = 0; i < n; i++) {
		int r = fire(s, names[i], now, err);
		if (r < 0)
			return r;
		fired += r;
	}
	return fired;
}
