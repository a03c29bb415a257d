/* A task definition's placementConstraints: memberOf expressions only, as ECS takes them in a
 * definition (distinctInstance belongs to RunTask and services). The hub reads them when it
 * places the definition's tasks and checks their syntax at registration; agents ignore them. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "protocol/json_value.h"
#include "protocol/taskdef.h"

static const char *const constraint_fields[] = { "type", "expression" };

int taskdef_placement_from_json(const cJSON *v, struct taskdef *td, struct error *err)
{
	if (!cJSON_IsArray(v))
		return error_set(err, EINVAL, "placementConstraints: expected an array of objects");
	int n = cJSON_GetArraySize(v);
	if (n > TASKDEF_MAX_PLACEMENT_CONSTRAINTS)
		return error_set(err, EINVAL, "placementConstraints: at most %d constraints",
				 TASKDEF_MAX_PLACEMENT_CONSTRAINTS);
	td->placement_expressions = calloc((size_t)n + 1, sizeof(char *));
	if (!td->placement_expressions)
		return error_set(err, ENOMEM, "placementConstraints: out of memory");
	const cJSON *item;
	size_t i = 0;
	cJSON_ArrayForEach(item, v) {
		char path[JSON_PATH_MAX];
		json_path(path, "placementConstraints[%zu]", i);
		const cJSON *found[2];
		int r = json_object_members(item, path, constraint_fields, 2, found, err);
		if (r < 0)
			return r;
		const char *type = cJSON_GetStringValue(found[0]);
		if (!type || strcmp(type, "memberOf") != 0)
			return error_set(err, EINVAL,
					 "%s.type: a task definition takes memberOf constraints only",
					 path);
		json_path(path, "placementConstraints[%zu].expression", i);
		if (!found[1])
			return error_set(err, EINVAL, "%s: required", path);
		r = json_get_string(found[1], path, 1, TASKDEF_MAX_PLACEMENT_EXPRESSION,
				    &td->placement_expressions[i], err);
		if (r < 0)
			return r;
		td->n_placement_expressions = ++i;
	}
	return 0;
}
