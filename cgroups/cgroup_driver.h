/* The operations a cgroup driver provides, one table per driver (cgroupfs: the tree from its
 * root; delegated: the subtree systemd delegated to the agent's unit; systemd: transient
 * units that systemd makes on request). A driver owns the
 * names of the cgroups it makes: callers ask it for the cgroup of a task or of a container
 * and never format one themselves. Paths are relative to the v2 mount point, which every
 * operation receives. */
#pragma once

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "cgroups/cgroup.h"

struct cgroup_driver {
	const char *name;
	/* 0 when this process can run the driver, else the reason. CHOSEN: asked for by name;
	 * otherwise the question is whether it is the right default here. The first driver of
	 * the table usable by default is chosen. */
	int (*usable)(bool chosen, struct error *err);
	/* The cgroup whose controllers tasks may use ("" for the mount's root). */
	int (*tree_root)(char **ret, struct error *err);
	/* Once, in the agent, before its first task: lay the driver's tree out (may be NULL). */
	int (*prepare)(const char *mount, struct error *err);
	/* The cgroup of task TASK_ID, and of its container CONTAINER (below the task's). */
	int (*task_path)(const char *task_id, char **ret, struct error *err);
	int (*container_path)(const char *task_id, const char *container, char **ret,
			      struct error *err);
	int (*create)(const char *mount, const char *path, struct error *err);
	/* Create the cgroup PATH of a container whose monitor PID waits, not yet in any cgroup
	 * of tether's, for its container to be started there (may be NULL: then create). */
	int (*create_for_monitor)(const char *mount, const char *path, pid_t pid,
				  struct error *err);
	int (*open)(const char *mount, const char *path, int *ret_fd, struct error *err);
	int (*set_limits)(const char *mount, const char *path, const struct cgroup_limits *limits,
			  struct error *err);
	int (*kill)(const char *mount, const char *path, struct error *err);
	int (*is_populated)(const char *mount, const char *path, bool *ret, struct error *err);
	int (*oom_kills)(const char *mount, const char *path, uint64_t *ret, struct error *err);
	int (*remove)(const char *mount, const char *path, struct error *err);
	int (*stats)(const char *mount, const char *path, struct cgroup_stats *ret,
		     struct error *err);
};

extern const struct cgroup_driver cgroup_driver_cgroupfs;
extern const struct cgroup_driver cgroup_driver_delegated;
extern const struct cgroup_driver cgroup_driver_systemd;

/* Names the driver every tether program of this host uses; the daemon sets it from
 * --cgroup-driver, and the monitors it spawns inherit it. */
#define CGROUP_DRIVER_ENV "TETHER_CGROUP_DRIVER"

/* The drivers in order of preference (cgroups/cgroup_drivers.c), NULL-terminated. */
extern const struct cgroup_driver *const cgroup_drivers[];

/* The driver of this process: the one named by $TETHER_CGROUP_DRIVER, else the first usable
 * one of the table, picked at the first call and the same ever after. Errors (an unknown
 * name, a driver that cannot run here) are in cgroup_driver_check; this falls back to
 * cgroupfs. The functions of cgroup.h go through it; the agent holds it to
 * name the cgroups of its tasks. tether-monitor receives its container's cgroup path in
 * config.json and never names one. */
const struct cgroup_driver *cgroup_driver_choose(void);

/* The choice cgroup_driver_choose makes, or why the driver asked for cannot be used. */
int cgroup_driver_check(const struct cgroup_driver **ret, struct error *err);

/* The driver named NAME, or NULL; and the known names, "delegated, systemd, cgroupfs". */
const struct cgroup_driver *cgroup_driver_by_name(const char *name);
int cgroup_driver_names(char **ret_csv);

