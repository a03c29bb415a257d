#include "protocol/taskdef_restart.h"

#include <errno.h>

#include "common/cleanup.h"
#include "protocol/json_value.h"

static int parse_ignored(const cJSON *v, const char *path, struct taskdef_restart_policy *p,
			 struct error *err)
{
	if (!cJSON_IsArray(v))
		return error_set(err, EINVAL, "%s: expected an array of integers", path);
	if (cJSON_GetArraySize(v) > TASKDEF_RESTART_MAX_IGNORED)
		return error_set(err, EINVAL, "%s: more than %d exit codes", path,
				 TASKDEF_RESTART_MAX_IGNORED);
	const cJSON *item;
	cJSON_ArrayForEach(item, v) {
		char item_path[JSON_PATH_MAX];
		json_path(item_path, "%s[%zu]", path, p->n_ignored_exit_codes);
		uint64_t code;
		int r = json_get_uint(item, item_path, 0, TASKDEF_RESTART_MAX_EXIT_CODE, &code, err);
		if (r < 0)
			return r;
		p->ignored_exit_codes[p->n_ignored_exit_codes++] = (uint8_t)code;
	}
	return 0;
}

int taskdef_restart_from_json(const cJSON *json, const char *path,
			      struct taskdef_restart_policy *ret, struct error *err)
{
	static const char *const names[] = { "enabled", "ignoredExitCodes",
					     "restartAttemptPeriod" };
	const cJSON *found[ELEMENTSOF(names)];
	char field_path[JSON_PATH_MAX];
	int r = json_object_members(json, path, names, ELEMENTSOF(names), found, err);
	if (r < 0)
		return r;
	struct taskdef_restart_policy p = { .attempt_period = TASKDEF_RESTART_DEFAULT_PERIOD };
	json_path(field_path, "%s.enabled", path);
	if (!found[0])
		return error_set(err, EINVAL, "%s: required", field_path);
	if ((r = json_get_bool(found[0], field_path, &p.enabled, err)) < 0)
		return r;
	json_path(field_path, "%s.ignoredExitCodes", path);
	if (found[1] && (r = parse_ignored(found[1], field_path, &p, err)) < 0)
		return r;
	if (found[2]) {
		uint64_t period;
		json_path(field_path, "%s.restartAttemptPeriod", path);
		r = json_get_uint(found[2], field_path, TASKDEF_RESTART_MIN_PERIOD,
				  TASKDEF_RESTART_MAX_PERIOD, &period, err);
		if (r < 0)
			return r;
		p.attempt_period = (uint32_t)period;
	}
	*ret = p;
	return 0;
}

bool taskdef_restart_ignores(const struct taskdef_restart_policy *p, int code)
{
	for (size_t i = 0; i < p->n_ignored_exit_codes; i++)
		if (p->ignored_exit_codes[i] == code)
			return true;
	return false;
}
