/* The delegated driver: tasks live in the subtree systemd delegated to the agent's unit
 * (cgroups/delegation.h), never above it. It shares cgroupfs's file operations; what differs
 * is where cgroups are named and that controllers are enabled only from the delegated root
 * down. */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cgroups/cgroup_driver.h"
#include "cgroups/cgroupfs.h"
#include "cgroups/delegation.h"
#include "common/cleanup.h"

/* Found once per process: the agent moves into <root>/agent, which leads to the same root. */
static struct cgroup_delegation found;
static int found_result;
static struct error found_error;

static void detect_once(void)
{
	_cleanup_free_ char *mount = NULL;
	found_result = cgroup_mount_point(&mount, &found_error);
	if (found_result < 0)
		return;
	/* Asked for by name (the daemon's --cgroup-driver, inherited by its monitors): the
	 * name stands for systemd's mark. */
	const char *name = getenv(CGROUP_DRIVER_ENV);
	bool chosen = name && !strcmp(name, cgroup_driver_delegated.name);
	found_result = cgroup_delegation_detect(mount, chosen, &found, &found_error);
}

static int delegation(const struct cgroup_delegation **ret, struct error *err)
{
	static pthread_once_t once = PTHREAD_ONCE_INIT;
	pthread_once(&once, detect_once);
	if (found_result < 0)
		return error_set(err, -found_result, "%s", found_error.message);
	*ret = &found;
	return 0;
}

/* By default only where a restart of the unit can start the agent again beside its
 * containers (cgroup_delegation_survives_restart); by name wherever a subtree is found. */
static int delegated_usable(bool chosen, struct error *err)
{
	const struct cgroup_delegation *d;
	int r = delegation(&d, err);
	if (r < 0 || chosen || cgroup_delegation_survives_restart(d))
		return r;
	return error_set(err, EOPNOTSUPP, "systemd starts this service in its delegated cgroup "
			 "/%s itself, where no process may enter once tasks run below it: a "
			 "restart would fail (DelegateSubgroup=, systemd 254, avoids it)", d->root);
}

static int delegated_tree_root(char **ret, struct error *err)
{
	const struct cgroup_delegation *d;
	int r = delegation(&d, err);
	if (r < 0)
		return r;
	if (!(*ret = strdup(d->root)))
		return error_set(err, ENOMEM, "delegated cgroup");
	return 0;
}

static int delegated_task_path(const char *task_id, char **ret, struct error *err)
{
	const struct cgroup_delegation *d;
	int r = delegation(&d, err);
	return r < 0 ? r : cgroup_delegation_task_path(d->root, task_id, ret, err);
}

static int delegated_container_path(const char *task_id, const char *container, char **ret,
				    struct error *err)
{
	const struct cgroup_delegation *d;
	int r = delegation(&d, err);
	return r < 0 ? r : cgroup_delegation_container_path(d->root, task_id, container, ret, err);
}

static bool is_below(const char *path, const char *root)
{
	size_t n = strlen(root);
	return !strncmp(path, root, n) && path[n] == '/' && path[n + 1];
}

/* Create PATH and its missing parents below the delegated root, enabling controllers in the
 * subtree_control of the root and of each level on the way, and nowhere above the root. */
static int delegated_create(const char *mount, const char *path, struct error *err)
{
	const struct cgroup_delegation *d;
	int r = delegation(&d, err);
	if (r < 0)
		return r;
	if (!is_below(path, d->root))
		return error_set(err, EINVAL, "cgroup %s is outside the delegated cgroup /%s",
				 path, d->root);
	return cgroupfs_create_below(mount, path, strlen(d->root), err);
}

/* Into the leaf PATH, made here. Nothing is enabled in the root before the agent has left
 * it: the kernel takes threaded controllers (cpu, pids) into a populated cgroup's
 * subtree_control, and the root would then refuse the agent's move (EOPNOTSUPP). */
static int move_self(const char *mount, const char *path, struct error *err)
{
	return cgroupfs_move_process(mount, path, getpid(), err);
}

/* The root becomes an inner node: the agent leaves it for <root>/agent (its monitors follow it
 * there when spawned), and the root's controllers are opened to "tasks". */
static int delegated_prepare(const char *mount, struct error *err)
{
	const struct cgroup_delegation *d;
	int r = delegation(&d, err);
	if (r < 0)
		return r;
	_cleanup_free_ char *agent = NULL, *tasks = NULL;
	if ((r = cgroup_delegation_agent_path(d->root, &agent, err)) < 0 ||
	    (r = cgroup_delegation_tasks_path(d->root, &tasks, err)) < 0)
		return r;
	if (!d->in_agent_leaf && (r = move_self(mount, agent, err)) < 0)
		return r;
	return delegated_create(mount, tasks, err);
}

const struct cgroup_driver cgroup_driver_delegated = {
	.name = "delegated",
	.usable = delegated_usable,
	.tree_root = delegated_tree_root,
	.prepare = delegated_prepare,
	.task_path = delegated_task_path,
	.container_path = delegated_container_path,
	.create = delegated_create,
	.open = cgroupfs_open,
	.set_limits = cgroupfs_set_limits,
	.kill = cgroupfs_kill,
	.is_populated = cgroupfs_is_populated,
	.oom_kills = cgroupfs_oom_kills,
	.remove = cgroupfs_remove,
	.stats = cgroupfs_stats,
};
