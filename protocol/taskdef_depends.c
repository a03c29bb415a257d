#include "protocol/taskdef_depends.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/cleanup.h"
#include "protocol/json_value.h"
#include "protocol/taskdef.h"
#include "protocol/taskdef_container.h"

static const char *const condition_names[] = {
	[TASKDEF_CONDITION_START] = "START",
	[TASKDEF_CONDITION_COMPLETE] = "COMPLETE",
	[TASKDEF_CONDITION_SUCCESS] = "SUCCESS",
	[TASKDEF_CONDITION_HEALTHY] = "HEALTHY",
};

const char *taskdef_condition_name(enum taskdef_condition condition)
{
	if ((size_t)condition >= ELEMENTSOF(condition_names))
		return "UNKNOWN";
	return condition_names[condition];
}

static int parse_condition(const cJSON *v, const char *path, enum taskdef_condition *ret,
			   struct error *err)
{
	const char *s = cJSON_GetStringValue(v);
	if (!s)
		return error_set(err, EINVAL, "%s: expected a string", path);
	for (size_t i = 0; i < ELEMENTSOF(condition_names); i++)
		if (strcmp(s, condition_names[i]) == 0) {
			*ret = (enum taskdef_condition)i;
			return 0;
		}
	return error_set(err, EINVAL, "%s: \"%.32s\" is not one of START, COMPLETE, SUCCESS, HEALTHY",
			 path, s);
}

static int parse_dependency(const cJSON *item, const char *path, void *items, size_t i,
			    struct error *err)
{
	static const char *const names[] = { "containerName", "condition" };
	struct taskdef_dependency *deps = items, *dep = &deps[i];
	const cJSON *found[ELEMENTSOF(names)];
	char field_path[JSON_PATH_MAX];
	int r = json_object_members(item, path, names, ELEMENTSOF(names), found, err);
	if (r < 0)
		return r;
	json_path(field_path, "%s.containerName", path);
	if (!found[0])
		return error_set(err, EINVAL, "%s: required", field_path);
	r = json_get_string(found[0], field_path, 1, TASKDEF_MAX_NAME, &dep->container_name, err);
	if (r < 0)
		return r;
	for (size_t j = 0; j < i; j++)
		if (strcmp(deps[j].container_name, dep->container_name) == 0)
			return error_set(err, EINVAL, "%s: \"%s\" is given twice", field_path,
					 dep->container_name);
	/* ECS requires the condition too: there is no default to guess. */
	json_path(field_path, "%s.condition", path);
	if (!found[1])
		return error_set(err, EINVAL, "%s: required", field_path);
	return parse_condition(found[1], field_path, &dep->condition, err);
}

int taskdef_depends_from_json(const cJSON *depends_on, const cJSON *start_timeout,
			      const char *path, struct taskdef_container *c, struct error *err)
{
	static const struct json_object_array spec = {
		.shape = "{containerName, condition}", .what = "dependencies",
		.max_items = TASKDEF_MAX_CONTAINERS, .item_size = sizeof(struct taskdef_dependency),
		.parse = parse_dependency,
	};
	char field_path[JSON_PATH_MAX];
	int r;
	if (depends_on) {
		json_path(field_path, "%s.dependsOn", path);
		r = json_parse_object_array(depends_on, field_path, &spec, &c->depends_on,
					    &c->n_depends_on, err);
		if (r < 0)
			return r;
	}
	if (start_timeout) {
		uint64_t n;
		json_path(field_path, "%s.startTimeout", path);
		r = json_get_uint(start_timeout, field_path, TASKDEF_MIN_START_TIMEOUT,
				  TASKDEF_MAX_START_TIMEOUT, &n, err);
		if (r < 0)
			return r;
		c->start_timeout = (uint32_t)n;
	}
	return 0;
}

int taskdef_container_index(const struct taskdef *td, const char *name)
{
	for (size_t i = 0; i < td->n_containers; i++)
		if (td->containers[i].name && strcmp(td->containers[i].name, name) == 0)
			return (int)i;
	return -1;
}

/* HEALTHY waits for the dependency's healthCheck, so ECS refuses it on a container without one:
 * it would wait for ever. */
static int check_healthy_dependency_has_health_check(const struct taskdef_container *target,
						     const char *path, struct error *err)
{
	if (target->health_check.argv)
		return 0;
	return error_set(err, EINVAL, "%s.condition: HEALTHY needs a healthCheck on \"%s\"", path,
			 target->name);
}

static int check_dependency(const struct taskdef *td, size_t i, size_t j, struct error *err)
{
	const struct taskdef_container *c = &td->containers[i];
	const struct taskdef_dependency *dep = &c->depends_on[j];
	char path[JSON_PATH_MAX];
	json_path(path, "containerDefinitions[%zu].dependsOn[%zu]", i, j);
	int target = taskdef_container_index(td, dep->container_name);
	if (target < 0)
		return error_set(err, EINVAL, "%s.containerName: no container named \"%s\" in the task",
				 path, dep->container_name);
	if ((size_t)target == i)
		return error_set(err, EINVAL, "%s.containerName: \"%s\" cannot depend on itself", path,
				 dep->container_name);
	const struct taskdef_container *t = &td->containers[target];
	if ((dep->condition == TASKDEF_CONDITION_COMPLETE ||
	     dep->condition == TASKDEF_CONDITION_SUCCESS) && t->essential)
		return error_set(err, EINVAL, "%s.condition: %s cannot be set on \"%s\", an essential "
				 "container (its exit stops the task)", path,
				 taskdef_condition_name(dep->condition), t->name);
	if (dep->condition == TASKDEF_CONDITION_HEALTHY)
		return check_healthy_dependency_has_health_check(t, path, err);
	return 0;
}

struct cycle_walk {
	const struct taskdef *td;
	unsigned char mark[TASKDEF_MAX_CONTAINERS]; /* 0 unseen, 1 on the path, 2 done */
	size_t path[TASKDEF_MAX_CONTAINERS];
	size_t depth;
};

/* Depth first from container I; on a cycle, *ret_start is where it begins on w->path. */
static bool find_cycle(struct cycle_walk *w, size_t i, size_t *ret_start)
{
	w->mark[i] = 1;
	w->path[w->depth++] = i;
	const struct taskdef_container *c = &w->td->containers[i];
	for (size_t j = 0; j < c->n_depends_on; j++) {
		size_t next = (size_t)taskdef_container_index(w->td, c->depends_on[j].container_name);
		if (w->mark[next] == 1) {
			for (size_t k = 0; k < w->depth; k++)
				if (w->path[k] == next)
					*ret_start = k;
			return true;
		}
		if (w->mark[next] == 0 && find_cycle(w, next, ret_start))
			return true;
	}
	w->mark[i] = 2;
	w->depth--;
	return false;
}

static int check_no_cycle(const struct taskdef *td, struct error *err)
{
	struct cycle_walk w = { .td = td };
	for (size_t i = 0; i < td->n_containers; i++) {
		size_t start = 0;
		if (w.mark[i] || !find_cycle(&w, i, &start))
			continue;
		char names[TASKDEF_MAX_CONTAINERS * (TASKDEF_MAX_NAME + 4) + 1] = "";
		size_t len = 0;
		for (size_t k = start; k <= w.depth; k++) {
			size_t index = w.path[k < w.depth ? k : start];
			len += (size_t)snprintf(names + len, sizeof(names) - len, "%s%s",
						k > start ? " -> " : "", td->containers[index].name);
		}
		return error_set(err, EINVAL, "containerDefinitions[%zu].dependsOn: a cycle %s",
				 w.path[start], names);
	}
	return 0;
}

int taskdef_depends_check(const struct taskdef *td, struct error *err)
{
	for (size_t i = 0; i < td->n_containers; i++)
		for (size_t j = 0; j < td->containers[i].n_depends_on; j++) {
			int r = check_dependency(td, i, j, err);
			if (r < 0)
				return r;
		}
	return check_no_cycle(td, err);
}

void taskdef_depends_release(struct taskdef_container *c)
{
	for (size_t i = 0; i < c->n_depends_on; i++)
		free(c->depends_on[i].container_name);
	free(c->depends_on);
	c->depends_on = NULL;
	c->n_depends_on = 0;
}
