#include "protocol/taskdef.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "common/cleanup.h"
#include "protocol/json_value.h"
#include "protocol/taskdef_container.h"
#include "protocol/taskdef_mounts.h"
#include "protocol/taskdef_units.h"

#define MAX_COMPATIBILITIES 4

enum task_field {
	T_FAMILY, T_CONTAINERS, T_CPU, T_MEMORY, T_NETWORK_MODE, T_COMPATIBILITIES, T_VOLUMES,
	T_PLACEMENT_CONSTRAINTS, _T_MAX,
};

static const char *const task_fields[_T_MAX] = {
	[T_FAMILY] = "family",
	[T_CONTAINERS] = "containerDefinitions",
	[T_CPU] = "cpu",
	[T_MEMORY] = "memory",
	[T_NETWORK_MODE] = "networkMode",
	[T_COMPATIBILITIES] = "requiresCompatibilities",
	[T_VOLUMES] = "volumes",
	[T_PLACEMENT_CONSTRAINTS] = "placementConstraints",
};

static int parse_network_mode(const cJSON *v, struct taskdef *td, struct error *err)
{
	int r = json_get_string(v, "networkMode", 1, 32, &td->network_mode, err);
	if (r < 0)
		return r;
	if (strcmp(td->network_mode, "host") == 0 || strcmp(td->network_mode, "none") == 0)
		return 0;
	if (strcmp(td->network_mode, "bridge") == 0 || strcmp(td->network_mode, "awsvpc") == 0)
		return error_set(err, EOPNOTSUPP,
				 "networkMode: \"%s\" is not supported yet (use \"host\" or \"none\")",
				 td->network_mode);
	return error_set(err, EINVAL, "networkMode: \"%s\" is not one of host, none",
			 td->network_mode);
}

static int check_compatibilities(const cJSON *v, struct error *err)
{
	if (!cJSON_IsArray(v))
		return error_set(err, EINVAL, "requiresCompatibilities: expected an array of strings");
	if (cJSON_GetArraySize(v) > MAX_COMPATIBILITIES)
		return error_set(err, EINVAL, "requiresCompatibilities: more than %d items",
				 MAX_COMPATIBILITIES);
	size_t i = 0;
	const cJSON *item;
	cJSON_ArrayForEach(item, v) {
		const char *s = cJSON_GetStringValue(item);
		if (!s)
			return error_set(err, EINVAL, "requiresCompatibilities[%zu]: expected a string",
					 i);
		if (strcmp(s, "FARGATE") == 0)
			return error_set(err, EOPNOTSUPP,
					 "requiresCompatibilities[%zu]: FARGATE is not supported by "
					 "tether (use EXTERNAL)", i);
		if (strcmp(s, "EXTERNAL") != 0 && strcmp(s, "EC2") != 0)
			return error_set(err, EINVAL,
					 "requiresCompatibilities[%zu]: \"%.32s\" is not one of EXTERNAL, EC2",
					 i, s);
		i++;
	}
	return 0;
}

static int parse_containers(const cJSON *v, struct taskdef *td, struct error *err)
{
	if (!cJSON_IsArray(v))
		return error_set(err, EINVAL, "containerDefinitions: expected an array of objects");
	int n = cJSON_GetArraySize(v);
	if (n < 1 || n > TASKDEF_MAX_CONTAINERS)
		return error_set(err, EINVAL, "containerDefinitions: expected 1 to %d containers",
				 TASKDEF_MAX_CONTAINERS);
	td->containers = calloc((size_t)n, sizeof(*td->containers));
	if (!td->containers)
		return error_set(err, ENOMEM, "containerDefinitions: out of memory");
	bool any_essential = false;
	const cJSON *item;
	cJSON_ArrayForEach(item, v) {
		size_t i = td->n_containers;
		struct taskdef_container *c = &td->containers[i];
		char path[JSON_PATH_MAX];
		json_path(path, "containerDefinitions[%zu]", i);
		td->n_containers++;
		int r = taskdef_container_from_json(item, path, c, err);
		if (r < 0)
			return r;
		for (size_t j = 0; j < i; j++)
			if (strcmp(td->containers[j].name, c->name) == 0)
				return error_set(err, EINVAL, "%s.name: \"%s\" is used by two containers",
						 path, c->name);
		any_essential = any_essential || c->essential;
	}
	if (!any_essential)
		return error_set(err, EINVAL, "containerDefinitions: at least one container must be essential");
	return 0;
}

static int parse_task(const cJSON *json, struct taskdef *td, struct error *err)
{
	const cJSON *found[_T_MAX];
	int r = json_object_members(json, "", task_fields, _T_MAX, found, err);
	if (r < 0)
		return r;
	if (!found[T_FAMILY])
		return error_set(err, EINVAL, "family: required");
	r = json_get_string(found[T_FAMILY], "family", 1, TASKDEF_MAX_NAME, &td->family, err);
	if (r < 0)
		return r;
	if (!taskdef_name_is_valid(td->family))
		return error_set(err, EINVAL, "family: only letters, digits, '-' and '_' are allowed");
	if (found[T_CPU] && (r = taskdef_parse_task_cpu(found[T_CPU], "cpu", &td->cpu, err)) < 0)
		return r;
	if (found[T_MEMORY] &&
	    (r = taskdef_parse_task_memory(found[T_MEMORY], "memory", &td->memory_mib, err)) < 0)
		return r;
	if (found[T_NETWORK_MODE] && (r = parse_network_mode(found[T_NETWORK_MODE], td, err)) < 0)
		return r;
	if (found[T_COMPATIBILITIES] && (r = check_compatibilities(found[T_COMPATIBILITIES], err)) < 0)
		return r;
	if (found[T_VOLUMES] && (r = taskdef_volumes_from_json(found[T_VOLUMES], td, err)) < 0)
		return r;
	if (found[T_PLACEMENT_CONSTRAINTS] &&
	    (r = taskdef_placement_from_json(found[T_PLACEMENT_CONSTRAINTS], td, err)) < 0)
		return r;
	if (!found[T_CONTAINERS])
		return error_set(err, EINVAL, "containerDefinitions: required");
	r = parse_containers(found[T_CONTAINERS], td, err);
	if (r >= 0)
		r = taskdef_mounts_check(td, err);
	if (r < 0)
		return r;
	return taskdef_depends_check(td, err);
}

int taskdef_from_json(const cJSON *json, struct taskdef **ret, struct error *err)
{
	if (!cJSON_IsObject(json))
		return error_set(err, EINVAL, "task definition: expected a JSON object");
	_cleanup_(taskdef_freep) struct taskdef *td = calloc(1, sizeof(*td));
	if (!td)
		return error_set(err, ENOMEM, "task definition: out of memory");
	int r = parse_task(json, td, err);
	if (r < 0)
		return r;
	*ret = TAKE_PTR(td);
	return 0;
}

int taskdef_parse(const char *text, size_t size, struct taskdef **ret, struct error *err)
{
	if (size > TASKDEF_MAX_TEXT)
		return error_set(err, EFBIG, "task definition: larger than %d bytes",
				 TASKDEF_MAX_TEXT);
	if (json_text_has_nul(text, size))
		return error_set(err, EINVAL, "task definition: must not contain NUL characters");
	const char *end = NULL;
	_cleanup_(cjson_deletep) cJSON *json = cJSON_ParseWithLengthOpts(text, size, &end, false);
	if (!json)
		return error_set(err, EINVAL, "task definition: not valid JSON");
	for (; end < text + size; end++)
		if (!strchr(" \t\r\n", *end) || !*end)
			return error_set(err, EINVAL, "task definition: text after the JSON value");
	return taskdef_from_json(json, ret, err);
}

void taskdef_free(struct taskdef *td)
{
	if (!td)
		return;
	for (size_t i = 0; i < td->n_containers; i++)
		taskdef_container_release(&td->containers[i]);
	free(td->containers);
	taskdef_volumes_release(td);
	free(td->family);
	free(td->network_mode);
	json_strv_free(td->placement_expressions);
	free(td);
}

uint32_t taskdef_reserved_cpu(const struct taskdef *td)
{
	if (td->cpu)
		return td->cpu;
	uint64_t sum = 0;
	for (size_t i = 0; i < td->n_containers; i++)
		sum += td->containers[i].cpu;
	return sum > UINT32_MAX ? UINT32_MAX : (uint32_t)sum;
}

uint32_t taskdef_reserved_memory_mib(const struct taskdef *td)
{
	if (td->memory_mib)
		return td->memory_mib;
	uint64_t sum = 0;
	for (size_t i = 0; i < td->n_containers; i++) {
		const struct taskdef_container *c = &td->containers[i];
		sum += c->memory_mib ? c->memory_mib : c->memory_reservation_mib;
	}
	return sum > UINT32_MAX ? UINT32_MAX : (uint32_t)sum;
}

bool taskdef_requests_limits(const struct taskdef *td)
{
	if (td->cpu || td->memory_mib)
		return true;
	for (size_t i = 0; i < td->n_containers; i++) {
		const struct taskdef_container *c = &td->containers[i];
		if (c->cpu || c->memory_mib || c->memory_reservation_mib)
			return true;
	}
	return false;
}
