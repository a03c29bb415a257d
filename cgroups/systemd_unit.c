/* Unit names, cgroup paths and limit properties of the systemd driver (cgroups/systemd_unit.h). */
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cgroups/systemd_unit.h"
#include "common/cleanup.h"

static bool kept_in_unit_name(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
	       c == ':' || c == '_' || c == '.';
}

int systemd_unit_escape(const char *text, char **ret)
{
	char *out = malloc(strlen(text) * 4 + 1), *o = out;
	if (!out)
		return -ENOMEM;
	for (const char *p = text; *p; p++) {
		if (kept_in_unit_name(*p) && !(p == text && *p == '.'))
			*o++ = *p;
		else
			o += sprintf(o, "\\x%02x", (unsigned char)*p);
	}
	*o = '\0';
	*ret = out;
	return 0;
}

static int unit_name(char **ret, struct error *err, const char *task_id, const char *container,
		     const char *suffix)
{
	_cleanup_free_ char *task = NULL, *cont = NULL;
	if (systemd_unit_escape(task_id, &task) < 0 ||
	    (container && systemd_unit_escape(container, &cont) < 0))
		return error_set(err, ENOMEM, "unit name");
	char *name;
	if (asprintf(&name, SYSTEMD_UNIT_PREFIX "%s%s%s%s", task, cont ? "-" : "",
		     cont ? cont : "", suffix) < 0)
		return error_set(err, ENOMEM, "unit name");
	if (strlen(name) > SYSTEMD_UNIT_NAME_MAX) {
		int r = error_set(err, ENAMETOOLONG, "unit name %s is longer than systemd takes "
				  "(%d characters)", name, SYSTEMD_UNIT_NAME_MAX);
		free(name);
		return r;
	}
	*ret = name;
	return 0;
}

int systemd_task_slice(const char *task_id, char **ret, struct error *err)
{
	return unit_name(ret, err, task_id, NULL, ".slice");
}

int systemd_container_scope(const char *task_id, const char *container, char **ret,
			    struct error *err)
{
	return unit_name(ret, err, task_id, container, ".scope");
}

int systemd_task_path(const char *task_id, char **ret, struct error *err)
{
	_cleanup_free_ char *slice = NULL;
	int r = systemd_task_slice(task_id, &slice, err);
	if (r < 0)
		return r;
	if (asprintf(ret, SYSTEMD_PARENT_SLICE "/%s", slice) < 0)
		return error_set(err, ENOMEM, "cgroup of task %s", task_id);
	return 0;
}

int systemd_container_path(const char *task_id, const char *container, char **ret,
			   struct error *err)
{
	_cleanup_free_ char *slice = NULL, *scope = NULL;
	int r = systemd_task_slice(task_id, &slice, err);
	if (r >= 0)
		r = systemd_container_scope(task_id, container, &scope, err);
	if (r < 0)
		return r;
	if (asprintf(ret, SYSTEMD_PARENT_SLICE "/%s/%s/" SYSTEMD_CONTAINER_LEAF, slice, scope) < 0)
		return error_set(err, ENOMEM, "cgroup of container %s", container);
	return 0;
}

static bool ends_with(const char *s, size_t n, const char *suffix)
{
	size_t k = strlen(suffix);
	return n > k && !memcmp(s + n - k, suffix, k);
}

int systemd_path_parse(const char *path, struct systemd_path *ret)
{
	struct systemd_path p = { .kind = SYSTEMD_PATH_OTHER };
	const char *last_slice = NULL;
	size_t last_slice_n = 0;
	for (const char *c = path; *c;) {
		size_t n = strcspn(c, "/");
		bool last = c[n] == '\0';
		if (ends_with(c, n, ".scope")) {
			p.kind = last ? SYSTEMD_PATH_SCOPE : SYSTEMD_PATH_IN_SCOPE;
			p.unit = strndup(c, n);
			p.slice = last_slice ? strndup(last_slice, last_slice_n) : NULL;
			p.unit_end = (size_t)(c - path) + n;
			if (!p.unit || (last_slice && !p.slice)) {
				systemd_path_release(&p);
				return -ENOMEM;
			}
			break;
		}
		if (ends_with(c, n, ".slice")) {
			last_slice = c;
			last_slice_n = n;
		}
		if (last && last_slice == c) {
			p.kind = SYSTEMD_PATH_SLICE;
			if (!(p.unit = strndup(c, n)))
				return -ENOMEM;
			p.unit_end = (size_t)(c - path) + n;
		}
		c += n;
		if (*c == '/')
			c++;
	}
	*ret = p;
	return 0;
}

void systemd_path_release(struct systemd_path *p)
{
	free(p->unit);
	free(p->slice);
	p->unit = p->slice = NULL;
}

size_t systemd_limit_properties(const struct cgroup_limits *l,
				struct systemd_property out[SYSTEMD_LIMIT_PROPERTIES_MAX])
{
	size_t n = 0;
	if (l->cpu_units)
		out[n++] = (struct systemd_property){ "CPUWeight", cgroup_cpu_weight(l->cpu_units) };
	if (l->cpu_units && l->cpu_hard)
		out[n++] = (struct systemd_property){ "CPUQuotaPerSecUSec",
						      cgroup_cpu_quota_usec(l->cpu_units, 1000000) };
	if (l->memory_max_bytes)
		out[n++] = (struct systemd_property){ "MemoryMax", l->memory_max_bytes };
	if (l->memory_low_bytes)
		out[n++] = (struct systemd_property){ "MemoryLow", l->memory_low_bytes };
	if (l->pids_max)
		out[n++] = (struct systemd_property){ "TasksMax", l->pids_max };
	return n;
}
