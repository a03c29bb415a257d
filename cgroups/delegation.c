/* Finding the delegated subtree and naming the cgroups in it (cgroups/delegation.h). */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/xattr.h>

#include "cgroups/delegation.h"
#include "common/cleanup.h"
#include "common/fileio.h"

int cgroup_self_path_parse(const char *text, char **ret)
{
	for (const char *line = text; line && *line;) {
		const char *end = strchr(line, '\n');
		size_t len = end ? (size_t)(end - line) : strlen(line);
		if (len >= 4 && !strncmp(line, "0::/", 4)) {
			char *path = strndup(line + 4, len - 4);
			if (!path)
				return -ENOMEM;
			*ret = path;
			return 0;
		}
		line = end ? end + 1 : NULL;
	}
	return -ENOENT;
}

static const char *last_component(const char *path)
{
	const char *slash = strrchr(path, '/');
	return slash ? slash + 1 : path;
}

int cgroup_delegation_decide(const char *own, bool own_marked, bool parent_marked, bool chosen,
			     struct cgroup_delegation *ret, struct error *err)
{
	const char *slash = strrchr(own, '/');
	bool in_leaf = slash && !strcmp(last_component(own), CGROUP_DELEGATION_AGENT_LEAF);
	char *root = NULL;
	if (in_leaf && (parent_marked || chosen))
		root = strndup(own, (size_t)(slash - own));
	else if (own_marked || chosen) {
		in_leaf = false;
		if (!own[0])
			return error_set(err, EPERM, "this process runs in the root cgroup, which is "
					 "not delegated to it: the delegated cgroup driver needs "
					 "a cgroup of its own (Delegate=yes in its systemd unit)");
		root = strdup(own);
	} else
		return error_set(err, ENOENT, "cgroup /%s is not delegated to this process (no "
				 "trusted.delegate mark: Delegate=yes in its systemd unit)", own);
	if (!root)
		return error_set(err, ENOMEM, "delegated cgroup");
	*ret = (struct cgroup_delegation){ .root = root, .in_agent_leaf = in_leaf };
	return 0;
}

/* systemd 252 sets trusted.delegate=1 on a unit's cgroup when it has Delegate=yes. */
static bool marked_delegated(const char *mount, const char *path)
{
	_cleanup_free_ char *full = NULL;
	if (asprintf(&full, "%s/%s", mount, path) < 0)
		return false;
	char value[8];
	ssize_t n = getxattr(full, "trusted.delegate", value, sizeof(value) - 1);
	if (n <= 0)
		return false;
	value[n] = '\0';
	return !strcmp(value, "1");
}

int cgroup_delegation_detect(const char *mount, bool chosen, struct cgroup_delegation *ret,
			     struct error *err)
{
	_cleanup_free_ char *text = NULL, *own = NULL;
	int r = read_file_full("/proc/self/cgroup", 64 * 1024, &text, NULL);
	if (r < 0)
		return error_set_errno(err, r, "read /proc/self/cgroup");
	r = cgroup_self_path_parse(text, &own);
	if (r == -ENOENT)
		return error_set(err, ENOENT, "this process is in no cgroup v2 (/proc/self/cgroup)");
	if (r < 0)
		return error_set(err, -r, "read /proc/self/cgroup");
	bool parent_marked = false;
	const char *slash = strrchr(own, '/');
	if (slash) {
		_cleanup_free_ char *parent = strndup(own, (size_t)(slash - own));
		if (!parent)
			return error_set(err, ENOMEM, "delegated cgroup");
		parent_marked = marked_delegated(mount, parent);
	}
	/* The tree's root is systemd's, marked or not. */
	bool own_marked = own[0] && marked_delegated(mount, own);
	return cgroup_delegation_decide(own, own_marked, parent_marked, chosen, ret, err);
}

bool cgroup_delegation_survives_restart(const struct cgroup_delegation *d)
{
	return d->in_agent_leaf;
}

void cgroup_delegation_release(struct cgroup_delegation *d)
{
	free(d->root);
	d->root = NULL;
}

static int path_join(char **ret, struct error *err, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static int path_join(char **ret, struct error *err, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	int n = vasprintf(ret, fmt, ap);
	va_end(ap);
	if (n < 0) {
		*ret = NULL;
		return error_set(err, ENOMEM, "delegated cgroup path");
	}
	return 0;
}

int cgroup_delegation_agent_path(const char *root, char **ret, struct error *err)
{
	return path_join(ret, err, "%s/" CGROUP_DELEGATION_AGENT_LEAF, root);
}

int cgroup_delegation_tasks_path(const char *root, char **ret, struct error *err)
{
	return path_join(ret, err, "%s/" CGROUP_DELEGATION_TASKS, root);
}

int cgroup_delegation_task_path(const char *root, const char *task_id, char **ret,
				struct error *err)
{
	return path_join(ret, err, "%s/" CGROUP_DELEGATION_TASKS "/%s", root, task_id);
}

int cgroup_delegation_container_path(const char *root, const char *task_id,
				     const char *container, char **ret, struct error *err)
{
	return path_join(ret, err, "%s/" CGROUP_DELEGATION_TASKS "/%s/%s", root, task_id,
			 container);
}
