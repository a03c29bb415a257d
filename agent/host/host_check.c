/* The items of `tether check`, each from one probe, and the verdict they lead to. The daemon
 * asks host_check_limits the same question before it starts, so both decide alike. */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "agent/host/host_check.h"
#include "agent/host/host_probe.h"
#include "agent/host/state_dir_fs.h"
#include "agent/tasks/task_limits.h"
#include "cgroups/cgroup.h"
#include "cgroups/cgroup_driver.h"
#include "cgroups/cgroup_layout.h"
#include "cgroups/device_filter.h"
#include "common/cleanup.h"

#define UNIFIED_FIX "boot the host with the unified cgroup hierarchy " \
	"(systemd.unified_cgroup_hierarchy=1, or cgroup_no_v1=all, on the kernel command line)"

static struct host_item *item(struct host_report *r, const char *key, const char *what,
			      enum host_need need)
{
	struct host_item *it = &r->items[r->n_items++];
	*it = (struct host_item){ .key = key, .what = what, .need = need, .ok = true };
	return it;
}

__attribute__((format(printf, 2, 3))) static void detail(struct host_item *it, const char *fmt,
							 ...)
{
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(it->detail, sizeof(it->detail), fmt, ap);
	va_end(ap);
}

static void missing(struct host_item *it, const char *fix)
{
	it->ok = false;
	snprintf(it->fix, sizeof(it->fix), "%s", fix);
}

static void check_root(struct host_report *r)
{
	struct host_item *it = item(r, "root", "root", HOST_NEED_TO_RUN);
	uid_t uid = geteuid();
	detail(it, "running as uid %u", (unsigned)uid);
	if (uid != 0)
		missing(it, "run tether as root: it makes cgroups, namespaces and mounts");
}

static void check_cgroup_mode(struct host_report *r, const struct cgroup_layout *layout)
{
	struct host_item *it = item(r, "cgroup_mode", "cgroup v2", HOST_NEED_TO_RUN);
	enum cgroup_mode mode = cgroup_layout_mode(layout);
	r->cgroup_mode = cgroup_mode_name(mode);
	if (mode == CGROUP_MODE_LEGACY) {
		detail(it, "legacy: no cgroup2 hierarchy is mounted");
		missing(it, UNIFIED_FIX ", or mount cgroup2");
		return;
	}
	r->cgroup_driver = cgroup_driver_choose()->name;
	detail(it, "%s, mounted at %s%s; cgroup driver %s", r->cgroup_mode, layout->v2_mount,
	       mode == CGROUP_MODE_HYBRID ? " beside v1 hierarchies, which keep their controllers"
					  : "", r->cgroup_driver);
}

int host_check_limits(struct host_item *ret, char **ret_available, char **ret_missing)
{
	*ret = (struct host_item){ .key = "limits", .what = "limits (cpu, memory, pids)",
				   .need = HOST_NEED_FOR_LIMITS, .ok = true };
	struct error err = { 0 };
	_cleanup_free_ char *available = NULL, *missing_csv = NULL;
	if (cgroup_available_controllers(&available, &err) < 0 && !(available = strdup("")))
		return -ENOMEM;
	if (task_limits_missing_for_any_task(available, &missing_csv) < 0)
		return -ENOMEM;
	if (!missing_csv[0]) {
		detail(ret, "the cgroup v2 controllers cpu, memory and pids are available");
	} else {
		detail(ret, "the cgroup v2 tree lacks the controllers %s (available: %s%s%s), so "
		       "task limits cannot be enforced", missing_csv, available[0] ? available : "none",
		       err.code ? "; " : "", err.code ? err.message : "");
		struct cgroup_layout layout = { 0 };
		bool hybrid = cgroup_layout_read(&layout, &err) == 0 &&
			      cgroup_layout_mode(&layout) != CGROUP_MODE_UNIFIED;
		cgroup_layout_release(&layout);
		missing(ret, hybrid ? UNIFIED_FIX ", or run tasks without their limits: "
					   "tether run --allow-no-limits"
				    : "enable them in the cgroup.subtree_control of the cgroups "
				      "above tether's, or run tasks without their limits: tether run "
				      "--allow-no-limits");
	}
	*ret_available = TAKE_PTR(available);
	*ret_missing = TAKE_PTR(missing_csv);
	return 0;
}

static int check_controllers(struct host_report *r)
{
	struct host_item limits;
	int ret = host_check_limits(&limits, &r->controllers, &r->missing_controllers);
	if (ret < 0)
		return ret;
	struct host_item *it = item(r, "controllers", "cgroup v2 controllers", HOST_NEED_NOTHING);
	detail(it, "%s", r->controllers[0] ? r->controllers : "none");
	r->items[r->n_items++] = limits;
	return 0;
}

static void check_systemd(struct host_report *r)
{
	struct host_item *it = item(r, "systemd", "systemd as PID 1", HOST_NEED_NOTHING);
	if (!host_probe_systemd_booted()) {
		detail(it, "no: tether.service cannot be used");
		missing(it, "keep 'tether run' running with this host's own supervisor");
		return;
	}
	detail(it, "yes: tether.service can run the agent");
	it = item(r, "delegated_cgroup", "delegated cgroup", HOST_NEED_NOTHING);
	_cleanup_free_ char *path = NULL;
	bool delegated = false;
	struct error err = { 0 };
	if (host_probe_delegated_cgroup(&path, &delegated, &err) < 0) {
		detail(it, "%s", err.message);
		missing(it, "run the agent from tether.service, whose Delegate=yes delegates its cgroup");
	} else if (!delegated) {
		detail(it, "this process's cgroup %s is not delegated", path);
		missing(it, "run the agent from tether.service, whose Delegate=yes delegates its cgroup");
	} else {
		detail(it, "this process's cgroup %s is delegated", path);
	}
}

/* An item whose probe says ok or why not. */
static void check_probe(struct host_report *r, const char *key, const char *what,
			enum host_need need, int (*probe)(struct error *), const char *ok_detail,
			const char *fix)
{
	struct host_item *it = item(r, key, what, need);
	struct error err = { 0 };
	if (probe(&err) == 0) {
		detail(it, "%s", ok_detail);
		return;
	}
	detail(it, "%s", err.message);
	missing(it, fix);
}

static void check_state_dir(struct host_report *r, const char *state_dir)
{
	struct host_item *it = item(r, "state_dir", "state dir", HOST_NEED_TO_RUN);
	struct error err = { 0 };
	if (state_dir_check_filesystem(state_dir, &err) < 0) {
		detail(it, "%s", err.message);
		missing(it, STATE_DIR_FS_FIX);
		return;
	}
	struct stat st;
	if (geteuid() != 0 || stat(state_dir, &st) < 0 || !S_ISDIR(st.st_mode)) {
		detail(it, "%s is not on overlayfs%s", state_dir,
		       geteuid() != 0 ? " (an overlay mount in it is tried only as root)"
				      : " (not made yet: an overlay mount in it is not tried)");
		return;
	}
	if (state_dir_try_overlay(state_dir, &err) < 0) {
		detail(it, "%s", err.message);
		missing(it, STATE_DIR_FS_FIX);
		return;
	}
	detail(it, "%s holds overlay upper dirs (an overlay mounted there)", state_dir);
}

int host_check(const char *state_dir, struct host_report *ret, struct error *err)
{
	struct host_report r = { .cgroup_driver = "none" };
	struct cgroup_layout layout = { 0 };
	int e = cgroup_layout_read(&layout, err);
	if (e < 0)
		return e;
	check_root(&r);
	check_cgroup_mode(&r, &layout);
	r.cgroup_mount = TAKE_PTR(layout.v2_mount);
	e = check_controllers(&r);
	if (e < 0) {
		host_report_release(&r);
		return error_set(err, e, "cgroup controllers");
	}
	check_systemd(&r);
	check_probe(&r, "clone_into_cgroup", "clone3 with CLONE_INTO_CGROUP", HOST_NEED_TO_RUN,
		    host_probe_clone_into_cgroup, "a child started straight in this cgroup",
		    "a kernel 5.7 or newer, with cgroup2 mounted");
	/* The state dir goes before overlayfs: its mount loads the overlay module on demand. */
	check_state_dir(&r, state_dir);
	check_probe(&r, "overlayfs", "overlayfs", HOST_NEED_TO_RUN, host_probe_overlayfs,
		    "the kernel has the overlay file system", "load the module: modprobe overlay");
	check_probe(&r, "seccomp", "seccomp filter", HOST_NEED_TO_RUN, host_probe_seccomp_filter,
		    "seccomp in filter mode", "a kernel built with CONFIG_SECCOMP_FILTER");
	check_probe(&r, "user_namespaces", "user namespaces", HOST_NEED_NOTHING,
		    host_probe_user_namespaces, "a child can make one (containers do not use "
		    "them yet)", "sysctl user.max_user_namespaces=15000 (containers do not use "
		    "them yet)");
	check_probe(&r, "device_filter", "device cgroup filter", HOST_NEED_NOTHING,
		    cgroup_device_filter_probe, "BPF cgroup device programs load",
		    "a kernel with CONFIG_CGROUP_BPF; until then tasks with linuxParameters.devices "
		    "are refused and containers run without MKNOD");
	r.verdict = host_verdict_of(r.items, r.n_items);
	host_verdict_summary(r.items, r.n_items, r.missing_controllers, r.summary,
			     sizeof(r.summary));
	*ret = r;
	return 0;
}

void host_report_release(struct host_report *r)
{
	free(r->cgroup_mount);
	free(r->controllers);
	free(r->missing_controllers);
	r->cgroup_mount = r->controllers = r->missing_controllers = NULL;
}

enum host_verdict host_verdict_of(const struct host_item *items, size_t n)
{
	enum host_verdict v = HOST_RUNS_WITH_LIMITS;
	for (size_t i = 0; i < n; i++) {
		if (items[i].ok)
			continue;
		if (items[i].need == HOST_NEED_TO_RUN)
			return HOST_CANNOT_RUN;
		if (items[i].need == HOST_NEED_FOR_LIMITS)
			v = HOST_RUNS_WITHOUT_LIMITS;
	}
	return v;
}

void host_verdict_summary(const struct host_item *items, size_t n, const char *missing_controllers,
			  char *buf, size_t size)
{
	enum host_verdict v = host_verdict_of(items, n);
	if (v == HOST_RUNS_WITH_LIMITS) {
		snprintf(buf, size, "tasks can run with their limits");
		return;
	}
	if (v == HOST_RUNS_WITHOUT_LIMITS) {
		snprintf(buf, size, "tasks can run only without their limits: the cgroup v2 "
			 "controllers %s are missing; run the agent with --allow-no-limits",
			 missing_controllers && missing_controllers[0] ? missing_controllers : "?");
		return;
	}
	size_t len = (size_t)snprintf(buf, size, "tasks cannot run:");
	const char *sep = "";
	for (size_t i = 0; i < n && len < size; i++) {
		if (items[i].ok || items[i].need != HOST_NEED_TO_RUN)
			continue;
		len += (size_t)snprintf(buf + len, size - len, "%s %s: %s (fix: %s)", sep,
					items[i].what, items[i].detail, items[i].fix);
		sep = ";";
	}
}
