#include "protocol/taskdef_log.h"

#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "common/cleanup.h"
#include "common/parse.h"
#include "protocol/json_value.h"

static int parse_driver(const cJSON *v, const char *path, struct taskdef_log *log,
			struct error *err)
{
	_cleanup_free_ char *name = NULL;
	int r = json_get_string(v, path, 1, 64, &name, err);
	if (r < 0)
		return r;
	log->driver = log_driver_by_name(name);
	if (log->driver)
		return 0;
	char supported[256];
	log_driver_names(supported, sizeof(supported));
	return error_set(err, EINVAL, "%s: \"%s\" is not supported by tether (supported: %s)",
			 path, name, supported);
}

static int parse_option(const char *name, const char *value, const char *path,
			struct taskdef_log *log, struct error *err)
{
	const struct log_option *o = log_driver_option(log->driver, name);
	if (o)
		return o->parse(value, path, &log->options, err);
	char supported[256];
	log_driver_option_names(log->driver, supported, sizeof(supported));
	return error_set(err, EINVAL, "%s: option not supported by tether's %s driver "
			 "(supported: %s)", path, log->driver->name, supported);
}

static int parse_options(const cJSON *v, const char *path, struct taskdef_log *log,
			 struct error *err)
{
	if (!cJSON_IsObject(v))
		return error_set(err, EINVAL, "%s: expected an object of strings", path);
	const cJSON *opt;
	cJSON_ArrayForEach(opt, v) {
		char opt_path[JSON_PATH_MAX];
		json_path(opt_path, "%s.%.64s", path, opt->string);
		for (const cJSON *seen = v->child; seen != opt; seen = seen->next)
			if (!strcmp(seen->string, opt->string))
				return error_set(err, EINVAL, "%s: given twice", opt_path);
		if (!cJSON_IsString(opt))
			return error_set(err, EINVAL, "%s: expected a string", opt_path);
		int r = parse_option(opt->string, opt->valuestring, opt_path, log, err);
		if (r < 0)
			return r;
	}
	return 0;
}

int taskdef_log_from_json(const cJSON *json, const char *path, struct taskdef_log *log,
			  struct error *err)
{
	/* secretOptions is not known: the node has no secrets source. */
	static const char *const names[] = { "logDriver", "options" };
	const cJSON *found[ELEMENTSOF(names)];
	char field_path[JSON_PATH_MAX];
	int r = json_object_members(json, path, names, ELEMENTSOF(names), found, err);
	if (r < 0)
		return r;
	json_path(field_path, "%s.logDriver", path);
	if (!found[0])
		return error_set(err, EINVAL, "%s: required", field_path);
	r = parse_driver(found[0], field_path, log, err);
	if (r < 0)
		return r;
	if (!found[1] || cJSON_IsNull(found[1]))
		return 0;
	json_path(field_path, "%s.options", path);
	return parse_options(found[1], field_path, log, err);
}

void taskdef_log_release(struct taskdef_log *log)
{
	free(log->options.tag);
	*log = (struct taskdef_log){ 0 };
}
