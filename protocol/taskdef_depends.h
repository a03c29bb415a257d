/* A container's `dependsOn` and `startTimeout`: the order in which a task's containers start
 * (and, reversed, stop), with ECS's conditions. Each entry is parsed with its container; the
 * checks that need the whole task (names, essential containers, cycles) run once every
 * container is parsed. */
#pragma once

#include <stddef.h>
#include <stdint.h>

#include <cjson/cJSON.h>

#include "common/error.h"

/* startTimeout, seconds: ECS's bounds. Without it a dependency may take as long as it needs. */
#define TASKDEF_MIN_START_TIMEOUT 2
#define TASKDEF_MAX_START_TIMEOUT 120

enum taskdef_condition {
	TASKDEF_CONDITION_START,    /* the dependency started (its first process exists) */
	TASKDEF_CONDITION_COMPLETE, /* it exited, with any code */
	TASKDEF_CONDITION_SUCCESS,  /* it exited with code 0 */
	TASKDEF_CONDITION_HEALTHY,  /* its healthCheck says HEALTHY */
};

struct taskdef_dependency {
	char *container_name;        /* another container of the task */
	enum taskdef_condition condition;
};

struct taskdef;
struct taskdef_container;

/* "START", "COMPLETE", "SUCCESS", "HEALTHY". */
const char *taskdef_condition_name(enum taskdef_condition condition);

/* The container's dependsOn and startTimeout members (either may be NULL: absent), at PATH
 * ("containerDefinitions[0]"), into C. On error C holds what was parsed so far. */
int taskdef_depends_from_json(const cJSON *depends_on, const cJSON *start_timeout,
			      const char *path, struct taskdef_container *c, struct error *err);

/* Checks across the task: every dependency names another container, once; COMPLETE and
 * SUCCESS never wait for an essential container (its exit stops the task); no cycle. */
int taskdef_depends_check(const struct taskdef *td, struct error *err);

/* The index of the container named NAME in TD, or -1. */
int taskdef_container_index(const struct taskdef *td, const char *name);

void taskdef_depends_release(struct taskdef_container *c);
