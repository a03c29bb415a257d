/* ulimits: [{"name": "nofile", "softLimit": 1024, "hardLimit": 4096}], names as ECS has
 * them, each at most once, softLimit <= hardLimit, -1 for unlimited (as `docker run --ulimit`
 * spells it). */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>

#include "common/cleanup.h"
#include "protocol/json_value.h"
#include "protocol/taskdef_linux.h"

static const struct {
	const char *name;
	int resource;
} ulimits[_ULIMIT_MAX] = {
	[ULIMIT_CORE] = { "core", RLIMIT_CORE },
	[ULIMIT_CPU] = { "cpu", RLIMIT_CPU },
	[ULIMIT_DATA] = { "data", RLIMIT_DATA },
	[ULIMIT_FSIZE] = { "fsize", RLIMIT_FSIZE },
	[ULIMIT_LOCKS] = { "locks", RLIMIT_LOCKS },
	[ULIMIT_MEMLOCK] = { "memlock", RLIMIT_MEMLOCK },
	[ULIMIT_MSGQUEUE] = { "msgqueue", RLIMIT_MSGQUEUE },
	[ULIMIT_NICE] = { "nice", RLIMIT_NICE },
	[ULIMIT_NOFILE] = { "nofile", RLIMIT_NOFILE },
	[ULIMIT_NPROC] = { "nproc", RLIMIT_NPROC },
	[ULIMIT_RSS] = { "rss", RLIMIT_RSS },
	[ULIMIT_RTPRIO] = { "rtprio", RLIMIT_RTPRIO },
	[ULIMIT_RTTIME] = { "rttime", RLIMIT_RTTIME },
	[ULIMIT_SIGPENDING] = { "sigpending", RLIMIT_SIGPENDING },
	[ULIMIT_STACK] = { "stack", RLIMIT_STACK },
};

const char *taskdef_ulimit_name_to_string(enum taskdef_ulimit_name name)
{
	return (unsigned)name < _ULIMIT_MAX ? ulimits[name].name : NULL;
}

int taskdef_ulimit_resource(enum taskdef_ulimit_name name)
{
	return (unsigned)name < _ULIMIT_MAX ? ulimits[name].resource : -1;
}

static int parse_limit(const cJSON *v, const char *path, uint64_t *ret, struct error *err)
{
	if (!v)
		return error_set(err, EINVAL, "%s: required", path);
	if (cJSON_IsNumber(v) && v->valuedouble == -1) {
		*ret = TASKDEF_ULIMIT_UNLIMITED;
		return 0;
	}
	if (!json_is_unsigned_integer(v))
		return error_set(err, EINVAL, "%s: expected a non-negative integer or -1 (unlimited)",
				 path);
	*ret = (uint64_t)v->valuedouble;
	return 0;
}

static int parse_one(const cJSON *v, const char *path, void *items, size_t index,
		     struct error *err)
{
	struct taskdef_ulimit *list = items, *u = &list[index];
	static const char *const names[] = { "name", "softLimit", "hardLimit" };
	const cJSON *found[ELEMENTSOF(names)];
	char fp[JSON_PATH_MAX];
	int r = json_object_members(v, path, names, ELEMENTSOF(names), found, err);
	if (r < 0)
		return r;
	json_path(fp, "%s.name", path);
	const char *name = cJSON_GetStringValue(found[0]);
	if (!found[0])
		return error_set(err, EINVAL, "%s: required", fp);
	if (!name)
		return error_set(err, EINVAL, "%s: expected a string", fp);
	size_t i = 0;
	while (i < _ULIMIT_MAX && strcmp(ulimits[i].name, name) != 0)
		i++;
	if (i == _ULIMIT_MAX)
		return error_set(err, EINVAL, "%s: \"%.32s\" is not one of core, cpu, data, fsize, "
				 "locks, memlock, msgqueue, nice, nofile, nproc, rss, rtprio, "
				 "rttime, sigpending, stack", fp, name);
	u->name = (enum taskdef_ulimit_name)i;
	json_path(fp, "%s.softLimit", path);
	if ((r = parse_limit(found[1], fp, &u->soft, err)) < 0)
		return r;
	json_path(fp, "%s.hardLimit", path);
	if ((r = parse_limit(found[2], fp, &u->hard, err)) < 0)
		return r;
	if (u->soft > u->hard)
		return error_set(err, EINVAL, "%s: softLimit is more than hardLimit", path);
	for (size_t j = 0; j < index; j++)
		if (list[j].name == u->name)
			return error_set(err, EINVAL, "%s.name: \"%s\" is given twice", path,
					 ulimits[u->name].name);
	return 0;
}

int taskdef_ulimits_from_json(const cJSON *v, const char *path, struct taskdef_ulimit **ret,
			      size_t *ret_n, struct error *err)
{
	static const struct json_object_array spec = {
		.shape = "{name, softLimit, hardLimit}", .what = "items (one per name)",
		.max_items = _ULIMIT_MAX, .item_size = sizeof(**ret), .parse = parse_one,
	};
	_cleanup_free_ struct taskdef_ulimit *list = NULL;
	size_t n = 0;
	int r = json_parse_object_array(v, path, &spec, &list, &n, err);
	if (r < 0)
		return r;
	*ret = n ? TAKE_PTR(list) : NULL;
	*ret_n = n;
	return 0;
}
