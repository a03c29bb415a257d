/* The scheduled rules and their ECS targets in the hub's database: every read and write of the
 * rules and rule_targets tables. A rule remembers the last tick it handled (last_tick) and the
 * next one due (next_due), so that a tick is handled once even across a restart. */
#pragma once

#include <stdbool.h>
#include <stdint.h>

#include <cjson/cJSON.h>

#include "hub/store/store.h"

#define RULE_NAME_MAX 64
#define RULE_TARGETS_MAX 5
#define SCHEDULE_TEXT_SIZE 257 /* EventBridge's targets per rule */

struct rule_put {
	const char *name, *schedule, *description;
	bool enabled;
};

struct rule_target {
	const char *id, *arn, *role_arn, *task_definition, *launch_type, *group;
	long long task_count;
};

/* Creates or replaces a rule. A new schedule, or a rule turned on, counts its ticks from now
 * (the ticks of a rate from now's minute). */
int rule_store_put(struct hub_store *s, const struct rule_put *p, int64_t now, struct error *err);
/* 1 when there is no such rule. Turned on, a rule's ticks before now are not run. */
int rule_store_set_enabled(struct hub_store *s, const char *name, bool enabled, int64_t now,
			   struct error *err);
/* 0 deleted, 1 no such rule, 2 it still has targets. */
int rule_store_delete(struct hub_store *s, const char *name, struct error *err);
/* The rule as DescribeRule shows it, NULL when there is none (or out of memory). */
cJSON *rule_store_view(struct hub_store *s, const char *name);
/* Names of rules starting with prefix (NULL: all), in order, appended to names. */
int rule_store_names(struct hub_store *s, const char *prefix, cJSON *names, struct error *err);
/* 1 when the rule does not exist. */
int rule_store_exists(struct hub_store *s, const char *name, struct error *err);

/* Adds or replaces a target; 1 when it would be the rule's sixth. */
int rule_store_put_target(struct hub_store *s, const char *rule, const struct rule_target *t,
			  struct error *err);
/* 1 when the rule has no target of that id. */
int rule_store_remove_target(struct hub_store *s, const char *rule, const char *id,
			     struct error *err);
/* The rule's targets, by id, as ListTargetsByRule shows them, appended to targets. */
int rule_store_targets(struct hub_store *s, const char *rule, cJSON *targets, struct error *err);
/* Calls fn for each target of rule; fn's non-zero result stops the walk and is returned. */
int rule_store_each_target(struct hub_store *s, const char *rule,
			   int (*fn)(const struct rule_target *t, void *data), void *data,
			   struct error *err);

/* Enabled rules whose next tick is due at now, up to max names (of RULE_NAME_MAX + 1 bytes);
 * returns how many. */
int rule_store_due(struct hub_store *s, int64_t now, char (*names)[RULE_NAME_MAX + 1], int max,
		   struct error *err);
/* What the firing of a rule reads. */
struct rule_due {
	char schedule[SCHEDULE_TEXT_SIZE];
	int64_t anchor, last_tick;
	bool failing; /* its last tick did not start everything */
	char last_failure[512];
};
/* 1 when the rule is gone or disabled. */
int rule_store_load(struct hub_store *s, const char *name, struct rule_due *ret,
		    struct error *err);
/* Records that tick was handled (next_due the one after it, -1 for none) and, when failure is
 * not NULL, why it did not start everything it should have; a clean tick clears nothing. */
int rule_store_mark_tick(struct hub_store *s, const char *name, int64_t tick, int64_t next_due,
			 const char *failure, struct error *err);
/* Calls fn with each rule's name, whether its last tick failed to start everything, and the
 * last tick it handled (UTC seconds), in name order. */
int rule_store_each_state(struct hub_store *s,
			  void (*fn)(void *data, const char *name, bool failing, int64_t last_tick),
			  void *data, struct error *err);
