#include "protocol/taskdef_overrides.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "common/cleanup.h"
#include "protocol/json_value.h"
#include "protocol/taskdef.h"

#define MAX_CONTAINER_OVERRIDES TASKDEF_MAX_CONTAINERS

/* What the overrides ask that tether does not do, gathered for one answer. */
struct refusals {
	char text[768];
	size_t used;
	size_t count;
};

static void refuse(struct refusals *r, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void refuse(struct refusals *r, const char *fmt, ...)
{
	size_t room = sizeof(r->text) - r->used;
	if (r->count++ && room > 2) {
		memcpy(r->text + r->used, ", ", 3);
		r->used += 2;
		room -= 2;
	}
	va_list ap;
	va_start(ap, fmt);
	int w = vsnprintf(r->text + r->used, room, fmt, ap);
	va_end(ap);
	if (w > 0)
		r->used += (size_t)w < room ? (size_t)w : room - 1;
}

static bool name_is(const cJSON *m, const char *const names[], size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (strcmp(m->string, names[i]) == 0)
			return true;
	return false;
}

/* Replace (or add) obj's member name with a copy of v. */
static int put(cJSON *obj, const char *name, const cJSON *v, struct error *err)
{
	cJSON *copy = cJSON_Duplicate(v, true);
	if (!copy)
		return error_set(err, ENOMEM, "overrides: out of memory");
	bool done = cJSON_GetObjectItemCaseSensitive(obj, name)
			    ? cJSON_ReplaceItemInObjectCaseSensitive(obj, name, copy)
			    : cJSON_AddItemToObject(obj, name, copy);
	if (!done) {
		cJSON_Delete(copy);
		return error_set(err, ENOMEM, "overrides: out of memory");
	}
	return 0;
}

static int check_environment(const cJSON *env, const char *path, struct error *err)
{
	if (!cJSON_IsArray(env))
		return error_set(err, EINVAL, "%s: expected an array of {name, value}", path);
	size_t i = 0;
	const cJSON *item;
	cJSON_ArrayForEach(item, env) {
		static const char *const names[] = { "name", "value" };
		char item_path[JSON_PATH_MAX];
		json_path(item_path, "%s[%zu]", path, i++);
		const cJSON *found[2];
		int r = json_object_members(item, item_path, names, 2, found, err);
		if (r < 0)
			return r;
		if (!cJSON_IsString(found[0]))
			return error_set(err, EINVAL, "%s.name: expected a string", item_path);
		if (found[1] && !cJSON_IsString(found[1]))
			return error_set(err, EINVAL, "%s.value: expected a string", item_path);
	}
	return 0;
}

/* Each variable replaces the one of the same name, or is appended. */
static int merge_environment(cJSON *container, const cJSON *env, struct error *err)
{
	cJSON *target = cJSON_GetObjectItemCaseSensitive(container, "environment");
	if (!cJSON_IsArray(target)) {
		target = cJSON_CreateArray();
		if (!target)
			return error_set(err, ENOMEM, "overrides: out of memory");
		cJSON_DeleteItemFromObjectCaseSensitive(container, "environment");
		if (!cJSON_AddItemToObject(container, "environment", target)) {
			cJSON_Delete(target);
			return error_set(err, ENOMEM, "overrides: out of memory");
		}
	}
	const cJSON *item;
	cJSON_ArrayForEach(item, env) {
		const char *name = json_string_member(item, "name");
		cJSON *copy = cJSON_Duplicate(item, true);
		if (!copy)
			return error_set(err, ENOMEM, "overrides: out of memory");
		int index = 0;
		cJSON *old;
		cJSON_ArrayForEach(old, target) {
			const char *old_name = json_string_member(old, "name");
			if (old_name && strcmp(old_name, name) == 0)
				break;
			index++;
		}
		bool done = old ? cJSON_ReplaceItemInArray(target, index, copy)
				: cJSON_AddItemToArray(target, copy);
		if (!done) {
			cJSON_Delete(copy);
			return error_set(err, ENOMEM, "overrides: out of memory");
		}
	}
	return 0;
}

static cJSON *find_container(cJSON *def, const char *name)
{
	cJSON *c;
	cJSON_ArrayForEach(c, cJSON_GetObjectItemCaseSensitive(def, "containerDefinitions")) {
		const char *n = json_string_member(c, "name");
		if (n && strcmp(n, name) == 0)
			return c;
	}
	return NULL;
}

static int check_uint(const cJSON *v, const char *path, struct error *err)
{
	if (!json_is_unsigned_integer(v))
		return error_set(err, EINVAL, "%s: expected a non-negative integer", path);
	return 0;
}

static int merge_container(cJSON *def, const cJSON *co, const char *path, struct refusals *no,
			   struct error *err)
{
	static const char *const known[] = {
		"name", "command", "environment", "cpu", "memory", "memoryReservation",
	};
	if (!cJSON_IsObject(co))
		return error_set(err, EINVAL, "%s: expected an object", path);
	const cJSON *m;
	cJSON_ArrayForEach(m, co)
		if (!name_is(m, known, ELEMENTSOF(known)) && !json_value_asks_nothing(m))
			refuse(no, "%s.%.64s", path, m->string);
	char field[JSON_PATH_MAX];
	const cJSON *name = cJSON_GetObjectItemCaseSensitive(co, "name");
	json_path(field, "%s.name", path);
	if (!cJSON_IsString(name))
		return error_set(err, EINVAL, "%s: required, a string", field);
	cJSON *container = find_container(def, name->valuestring);
	if (!container) {
		refuse(no, "%s (no container \"%.64s\" in the task definition)", field,
		       name->valuestring);
		return 0;
	}
	for (size_t i = 1; i < ELEMENTSOF(known); i++) {
		const cJSON *v = cJSON_GetObjectItemCaseSensitive(co, known[i]);
		if (!v || json_value_asks_nothing(v))
			continue;
		json_path(field, "%s.%s", path, known[i]);
		int r = 0;
		if (strcmp(known[i], "command") == 0) {
			char **argv = NULL;
			r = json_get_string_array(v, field, 1024, 64 * 1024, &argv, err);
			json_strv_free(argv);
			if (r >= 0)
				r = put(container, known[i], v, err);
		} else if (strcmp(known[i], "environment") == 0) {
			r = check_environment(v, field, err);
			if (r >= 0)
				r = merge_environment(container, v, err);
		} else {
			r = check_uint(v, field, err);
			if (r >= 0)
				r = put(container, known[i], v, err);
		}
		if (r < 0)
			return r;
	}
	return 0;
}

static int merge_containers(cJSON *def, const cJSON *list, struct refusals *no,
			    struct error *err)
{
	const char *path = "overrides.containerOverrides";
	if (!cJSON_IsArray(list))
		return error_set(err, EINVAL, "%s: expected an array of objects", path);
	if (cJSON_GetArraySize(list) > MAX_CONTAINER_OVERRIDES)
		return error_set(err, EINVAL, "%s: more than %d items", path,
				 MAX_CONTAINER_OVERRIDES);
	size_t i = 0;
	const cJSON *co;
	cJSON_ArrayForEach(co, list) {
		char item_path[JSON_PATH_MAX];
		json_path(item_path, "%s[%zu]", path, i);
		const char *name = json_string_member(co, "name");
		const cJSON *earlier = list->child;
		for (size_t j = 0; j < i; j++, earlier = earlier->next) {
			const char *other = json_string_member(earlier, "name");
			if (name && other && strcmp(name, other) == 0)
				return error_set(err, EINVAL, "%s.name: \"%.64s\" is overridden twice",
						 item_path, name);
		}
		int r = merge_container(def, co, item_path, no, err);
		if (r < 0)
			return r;
		i++;
	}
	return 0;
}

/* ECS sends the task-level cpu and memory as strings; the definition's parser reads them. */
static int merge_task_quantity(cJSON *def, const cJSON *v, const char *name, struct error *err)
{
	if (!v || json_value_asks_nothing(v))
		return 0;
	if (!cJSON_IsString(v) && !cJSON_IsNumber(v))
		return error_set(err, EINVAL, "overrides.%s: expected a string", name);
	return put(def, name, v, err);
}

int taskdef_apply_overrides(cJSON *def, const cJSON *overrides, struct error *err)
{
	static const char *const known[] = { "containerOverrides", "cpu", "memory" };
	if (!cJSON_IsObject(def))
		return error_set(err, EINVAL, "task definition: expected an object");
	if (!cJSON_IsObject(overrides))
		return error_set(err, EINVAL, "overrides: expected an object");
	struct refusals no = { .used = 0 };
	const cJSON *m;
	cJSON_ArrayForEach(m, overrides)
		if (!name_is(m, known, ELEMENTSOF(known)) && !json_value_asks_nothing(m))
			refuse(&no, "overrides.%.64s", m->string);
	const cJSON *list = cJSON_GetObjectItemCaseSensitive(overrides, "containerOverrides");
	int r = 0;
	if (list && !json_value_asks_nothing(list))
		r = merge_containers(def, list, &no, err);
	if (r >= 0)
		r = merge_task_quantity(def, cJSON_GetObjectItemCaseSensitive(overrides, "cpu"),
					"cpu", err);
	if (r >= 0)
		r = merge_task_quantity(def, cJSON_GetObjectItemCaseSensitive(overrides, "memory"),
					"memory", err);
	if (!no.count)
		return r;
	char also[sizeof(err->message)] = "";
	if (r < 0 && err)
		snprintf(also, sizeof(also), "; %.900s", err->message);
	return error_set(err, EOPNOTSUPP, "tether does not implement %s%s", no.text, also);
}
