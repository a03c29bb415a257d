/* The systemd driver: tasks and containers live in transient units that systemd makes on
 * request over D-Bus (cgroups/systemd_unit.h for the layout), outside the agent's own unit,
 * so that systemd knows them by name and a restart of tether.service never touches them. A
 * task is a slice carrying its limits as unit properties; a container is a scope, delegated,
 * whose first process is its tether-monitor. Below a scope the cgroups are the monitor's to
 * manage: plain files, as the cgroupfs driver writes them. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cgroups/cgroup_driver.h"
#include "cgroups/cgroup_layout.h"
#include "cgroups/cgroupfs.h"
#include "cgroups/systemd_bus.h"
#include "cgroups/systemd_unit.h"
#include "common/cleanup.h"

static bool is_socket(const char *path)
{
	struct stat st;
	return stat(path, &st) == 0 && S_ISSOCK(st.st_mode);
}

/* Cheap, for every monitor inherits the choice: files only, no connection. By default only
 * on a unified tree, where systemd can give the units their controllers. */
static int sd_usable(bool chosen, struct error *err)
{
	struct stat st;
	if (stat("/run/systemd/system", &st) < 0 || !S_ISDIR(st.st_mode))
		return error_set(err, ENOENT, "systemd is not this host's init (no "
				 "/run/systemd/system)");
	if (!is_socket("/run/systemd/private") && !is_socket("/run/dbus/system_bus_socket"))
		return error_set(err, ENOENT, "neither systemd's socket /run/systemd/private nor "
				 "the system bus is there");
	if (chosen)
		return 0;
	struct cgroup_layout layout = { 0 };
	int r = cgroup_layout_read(&layout, err);
	if (r < 0)
		return r;
	enum cgroup_mode mode = cgroup_layout_mode(&layout);
	cgroup_layout_release(&layout);
	if (mode != CGROUP_MODE_UNIFIED)
		return error_set(err, EOPNOTSUPP, "the cgroup tree is %s, not unified: systemd "
				 "cannot give task units the cgroup v2 controllers",
				 cgroup_mode_name(mode));
	return 0;
}

/* Units get their controllers from the root down as systemd enables them: the root's are
 * those tasks may use. */
static int sd_tree_root(char **ret, struct error *err)
{
	if (!(*ret = strdup("")))
		return error_set(err, ENOMEM, "cgroup tree");
	return 0;
}

static int sd_prepare(const char *mount, struct error *err)
{
	(void)mount;
	return systemd_bus_connect(err);
}

static void path_releasep(struct systemd_path *p)
{
	systemd_path_release(p);
}

#define _cleanup_path_ __attribute__((cleanup(path_releasep)))

static int parse(const char *path, struct systemd_path *ret, struct error *err)
{
	int r = systemd_path_parse(path, ret);
	return r < 0 ? error_set(err, -r, "cgroup %s", path) : 0;
}

/* Plain files: below a scope, and a container adopted from an agent that ran another driver
 * (its cgroup is where it was born, config.json says). */
static bool is_files(const struct systemd_path *p)
{
	return p->kind == SYSTEMD_PATH_IN_SCOPE || p->kind == SYSTEMD_PATH_OTHER;
}

static int start_slice(const char *name, struct error *err)
{
	struct systemd_unit_spec spec = { .name = name, .description = "tether task" };
	int r = systemd_bus_start_unit(&spec, err);
	if (r == -EEXIST) { /* a resumed task's, started by the agent before */
		error_clear(err);
		return 0;
	}
	return r;
}

/* Below a scope systemd delegated, the cgroups are files like any. */
static int sd_create(const char *mount, const char *path, struct error *err)
{
	_cleanup_path_ struct systemd_path p = { 0 };
	int r = parse(path, &p, err);
	if (r < 0)
		return r;
	switch (p.kind) {
	case SYSTEMD_PATH_SLICE:
		return start_slice(p.unit, err);
	case SYSTEMD_PATH_IN_SCOPE:
		return cgroupfs_create_below(mount, path, p.unit_end, err);
	case SYSTEMD_PATH_SCOPE:
		return error_set(err, EINVAL, "cgroup %s: a scope is started with its first "
				 "process", path);
	default:
		return error_set(err, EINVAL, "cgroup %s is not in a slice or scope of tether's",
				 path);
	}
}

/* A scope of the same name left by an earlier start of this container (its monitor is gone:
 * the folder's lock said so) is stopped before the new one starts. */
static int start_scope(const struct systemd_unit_spec *spec, struct error *err)
{
	int r = systemd_bus_start_unit(spec, err);
	if (r != -EEXIST)
		return r;
	error_clear(err);
	if ((r = systemd_bus_stop_unit(spec->name, err)) < 0)
		return r;
	return systemd_bus_start_unit(spec, err);
}

/* The monitor first becomes the scope's first process, then leaves the scope's own cgroup for
 * its leaf: only then can the scope enable controllers for the container's cgroup (no
 * process may live in a cgroup that has controllers enabled for its children). */
static int sd_create_for_monitor(const char *mount, const char *path, pid_t pid,
				 struct error *err)
{
	_cleanup_path_ struct systemd_path p = { 0 };
	int r = parse(path, &p, err);
	if (r < 0)
		return r;
	if (p.kind != SYSTEMD_PATH_IN_SCOPE || !p.slice)
		return error_set(err, EINVAL, "cgroup %s is not in a scope of a slice", path);
	struct systemd_unit_spec spec = {
		.name = p.unit, .description = "tether container", .slice = p.slice, .pid = pid,
		.delegate = true,
	};
	if ((r = start_scope(&spec, err)) < 0)
		return r;
	_cleanup_free_ char *leaf = strndup(path, p.unit_end);
	_cleanup_free_ char *monitor = NULL;
	if (!leaf || asprintf(&monitor, "%s/" SYSTEMD_MONITOR_LEAF, leaf) < 0)
		return error_set(err, ENOMEM, "cgroup %s", path);
	if ((r = cgroupfs_move_process(mount, monitor, pid, err)) < 0)
		return r;
	return cgroupfs_create_below(mount, path, p.unit_end, err);
}

/* A task's limits are its slice's unit properties, so that systemctl shows and keeps them. */
static int sd_set_limits(const char *mount, const char *path, const struct cgroup_limits *limits,
			 struct error *err)
{
	_cleanup_path_ struct systemd_path p = { 0 };
	int r = parse(path, &p, err);
	if (r < 0)
		return r;
	if (is_files(&p))
		return cgroupfs_set_limits(mount, path, limits, err);
	struct systemd_property props[SYSTEMD_LIMIT_PROPERTIES_MAX];
	size_t n = systemd_limit_properties(limits, props);
	return n ? systemd_bus_set_properties(p.unit, props, n, err) : 0;
}

/* A slice or scope is stopped: systemd removes its cgroups (the scope's monitor and container
 * leaves with it). */
static int sd_remove(const char *mount, const char *path, struct error *err)
{
	_cleanup_path_ struct systemd_path p = { 0 };
	int r = parse(path, &p, err);
	if (r < 0)
		return r;
	if (is_files(&p))
		return cgroupfs_remove(mount, path, err);
	return systemd_bus_stop_unit(p.unit, err);
}

const struct cgroup_driver cgroup_driver_systemd = {
	.name = "systemd",
	.usable = sd_usable,
	.tree_root = sd_tree_root,
	.prepare = sd_prepare,
	.task_path = systemd_task_path,
	.container_path = systemd_container_path,
	.create = sd_create,
	.create_for_monitor = sd_create_for_monitor,
	.open = cgroupfs_open,
	.set_limits = sd_set_limits,
	.kill = cgroupfs_kill,
	.is_populated = cgroupfs_is_populated,
	.oom_kills = cgroupfs_oom_kills,
	.remove = sd_remove,
	.stats = cgroupfs_stats,
};
