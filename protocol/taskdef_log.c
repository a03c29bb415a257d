#include "protocol/taskdef_log.h"

#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "common/cleanup.h"
#include "common/parse.h"
#include "protocol/json_value.h"

#define SUPPORTED_DRIVERS "json-file, journald"

const char *taskdef_log_driver_name(enum taskdef_log_driver d)
{
	switch (d) {
	case TASKDEF_LOG_JSON_FILE: return "json-file";
	case TASKDEF_LOG_JOURNALD: return "journald";
	default: return NULL;
	}
}

int taskdef_log_parse_size(const char *s, uint64_t *ret)
{
	size_t digits = strspn(s, "0123456789");
	if (digits == 0 || digits > 15)
		return -EINVAL;
	const char *unit = s + digits;
	uint64_t mult = 1;
	switch (tolower((unsigned char)*unit)) {
	case 'k': mult = 1024; unit++; break;
	case 'm': mult = 1024 * 1024; unit++; break;
	case 'g': mult = 1024 * 1024 * 1024; unit++; break;
	default: break;
	}
	if (mult > 1 && tolower((unsigned char)*unit) == 'b')
		unit++;
	if (*unit)
		return -EINVAL;
	char number[16];
	memcpy(number, s, digits);
	number[digits] = '\0';
	uint64_t n;
	int r = parse_u64(number, 0, UINT64_MAX / mult, &n);
	if (r < 0)
		return r;
	*ret = n * mult;
	return 0;
}

static int parse_driver(const cJSON *v, const char *path, struct taskdef_log *log,
			struct error *err)
{
	_cleanup_free_ char *name = NULL;
	int r = json_get_string(v, path, 1, 64, &name, err);
	if (r < 0)
		return r;
	if (!strcmp(name, "json-file"))
		log->driver = TASKDEF_LOG_JSON_FILE;
	else if (!strcmp(name, "journald"))
		log->driver = TASKDEF_LOG_JOURNALD;
	else
		return error_set(err, EINVAL, "%s: \"%s\" is not supported by tether (supported: "
				 SUPPORTED_DRIVERS ")", path, name);
	return 0;
}

static int parse_json_file_option(const char *name, const char *value, const char *path,
				  struct taskdef_log *log, struct error *err)
{
	uint64_t n;
	if (!strcmp(name, "max-size")) {
		if (taskdef_log_parse_size(value, &n) < 0 || n < TASKDEF_LOG_MIN_SIZE ||
		    n > TASKDEF_LOG_MAX_SIZE)
			return error_set(err, EINVAL, "%s: expected a size from 4k to 1024g such as "
					 "\"10m\" (k, m, g: powers of 1024)", path);
		log->max_size = n;
		return 0;
	}
	if (!strcmp(name, "max-file")) {
		if (parse_u64(value, 1, TASKDEF_LOG_MAX_FILES, &n) < 0)
			return error_set(err, EINVAL, "%s: expected a number of files from 1 to %d",
					 path, TASKDEF_LOG_MAX_FILES);
		log->max_file = (uint32_t)n;
		return 0;
	}
	return error_set(err, EINVAL, "%s: option not supported by tether's json-file driver "
			 "(supported: max-size, max-file)", path);
}

static int parse_journald_option(const char *name, const char *value, const char *path,
				 struct taskdef_log *log, struct error *err)
{
	if (strcmp(name, "tag") != 0)
		return error_set(err, EINVAL, "%s: option not supported by tether's journald "
				 "driver (supported: tag)", path);
	size_t len = strlen(value);
	if (len == 0 || len > TASKDEF_LOG_MAX_TAG)
		return error_set(err, EINVAL, "%s: expected 1 to %d bytes", path, TASKDEF_LOG_MAX_TAG);
	for (size_t i = 0; i < len; i++)
		if ((unsigned char)value[i] < 0x20 || value[i] == 0x7f)
			return error_set(err, EINVAL, "%s: must not contain control characters", path);
	/* Docker expands Go templates here; taking "{{.Name}}" literally would surprise. */
	if (strstr(value, "{{"))
		return error_set(err, EINVAL, "%s: templates are not supported (give the tag as "
				 "plain text)", path);
	log->tag = strdup(value);
	return log->tag ? 0 : error_set(err, ENOMEM, "%s: out of memory", path);
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
		int r = log->driver == TASKDEF_LOG_JSON_FILE
				? parse_json_file_option(opt->string, opt->valuestring, opt_path, log, err)
				: parse_journald_option(opt->string, opt->valuestring, opt_path, log, err);
		if (r < 0)
			return r;
	}
	return 0;
}

int taskdef_log_from_json(const cJSON *json, const char *path, struct taskdef_log *log,
			  struct error *err)
{
	static const char *const names[] = { "logDriver", "options", "secretOptions" };
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
	if (found[2])
		return error_set(err, EINVAL, "%s.secretOptions: not supported by tether (the node "
				 "has no secrets source)", path);
	if (!found[1] || cJSON_IsNull(found[1]))
		return 0;
	json_path(field_path, "%s.options", path);
	return parse_options(found[1], field_path, log, err);
}

void taskdef_log_release(struct taskdef_log *log)
{
	free(log->tag);
	*log = (struct taskdef_log){ 0 };
}
