#include "protocol/taskdef_health.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "common/cleanup.h"
#include "protocol/json_value.h"
#include "protocol/taskdef_container.h"

/* ECS's two forms. Docker's ["NONE"] (no check) has no use in a definition: leave the
 * healthCheck out instead. */
static int command_to_argv(char **given, const char *path, char ***ret, struct error *err)
{
	size_t n = 0;
	while (given[n])
		n++;
	if (n == 0)
		return error_set(err, EINVAL, "%s: must start with \"CMD\" or \"CMD-SHELL\"", path);
	char **argv = NULL;
	if (!strcmp(given[0], "CMD")) {
		if (n < 2 || !given[1][0])
			return error_set(err, EINVAL, "%s: \"CMD\" must be followed by the program "
					 "and its arguments", path);
		argv = calloc(n, sizeof(*argv));
		for (size_t i = 1; argv && i < n; i++)
			if (!(argv[i - 1] = strdup(given[i]))) {
				json_strv_free(argv);
				argv = NULL;
			}
	} else if (!strcmp(given[0], "CMD-SHELL")) {
		if (n != 2 || !given[1][0])
			return error_set(err, EINVAL, "%s: \"CMD-SHELL\" must be followed by exactly "
					 "one command string", path);
		argv = calloc(4, sizeof(*argv));
		if (argv && (!(argv[0] = strdup("/bin/sh")) || !(argv[1] = strdup("-c")) ||
			     !(argv[2] = strdup(given[1])))) {
			json_strv_free(argv);
			argv = NULL;
		}
	} else {
		return error_set(err, EINVAL, "%s: must start with \"CMD\" or \"CMD-SHELL\", not "
				 "\"%.64s\"", path, given[0]);
	}
	if (!argv)
		return error_set(err, ENOMEM, "%s: out of memory", path);
	*ret = argv;
	return 0;
}

static int parse_seconds(const cJSON *v, const char *path, const char *name, uint64_t min,
			 uint64_t max, uint32_t fallback, uint32_t *ret, struct error *err)
{
	*ret = fallback;
	if (!v)
		return 0;
	char field_path[JSON_PATH_MAX];
	json_path(field_path, "%s.%s", path, name);
	uint64_t n;
	int r = json_get_uint(v, field_path, min, max, &n, err);
	if (r < 0)
		return r;
	*ret = (uint32_t)n;
	return 0;
}

int taskdef_health_from_json(const cJSON *json, const char *path,
			     struct taskdef_health_check *hc, struct error *err)
{
	static const char *const names[] = { "command", "interval", "timeout", "retries",
					     "startPeriod" };
	const cJSON *found[ELEMENTSOF(names)];
	char field_path[JSON_PATH_MAX];
	int r = json_object_members(json, path, names, ELEMENTSOF(names), found, err);
	if (r < 0)
		return r;
	json_path(field_path, "%s.command", path);
	if (!found[0])
		return error_set(err, EINVAL, "%s: required", field_path);
	char **given = NULL;
	r = json_get_string_array(found[0], field_path, TASKDEF_HEALTH_MAX_ARGS, TASKDEF_MAX_ARG,
				  &given, err);
	if (r < 0)
		return r;
	r = command_to_argv(given, field_path, &hc->argv, err);
	json_strv_free(given);
	if (r < 0)
		return r;
	if ((r = parse_seconds(found[1], path, "interval", TASKDEF_HEALTH_MIN_INTERVAL,
			       TASKDEF_HEALTH_MAX_INTERVAL, TASKDEF_HEALTH_DEFAULT_INTERVAL,
			       &hc->interval, err)) < 0 ||
	    (r = parse_seconds(found[2], path, "timeout", TASKDEF_HEALTH_MIN_TIMEOUT,
			       TASKDEF_HEALTH_MAX_TIMEOUT, TASKDEF_HEALTH_DEFAULT_TIMEOUT,
			       &hc->timeout, err)) < 0 ||
	    (r = parse_seconds(found[3], path, "retries", TASKDEF_HEALTH_MIN_RETRIES,
			       TASKDEF_HEALTH_MAX_RETRIES, TASKDEF_HEALTH_DEFAULT_RETRIES,
			       &hc->retries, err)) < 0 ||
	    (r = parse_seconds(found[4], path, "startPeriod", 0, TASKDEF_HEALTH_MAX_START_PERIOD,
			       0, &hc->start_period, err)) < 0)
		return r;
	return 0;
}

void taskdef_health_release(struct taskdef_health_check *hc)
{
	json_strv_free(hc->argv);
	*hc = (struct taskdef_health_check){ 0 };
}
