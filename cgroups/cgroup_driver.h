/* The operations a cgroup driver provides, one table per driver (cgroupfs today; a systemd
 * driver fits the same table). A driver owns the names of the cgroups it makes: callers ask
 * it for the cgroup of a task or of a container and never format one themselves. Paths are
 * relative to the v2 mount point, which every operation receives. */
#pragma once

#include <stdbool.h>
#include <stdint.h>

#include "cgroups/cgroup.h"

struct cgroup_driver {
	const char *name;
	/* Whether this host can run the driver; the first usable driver of the table is chosen. */
	bool (*usable)(void);
	/* The cgroup of task TASK_ID, and of its container CONTAINER (below the task's). */
	int (*task_path)(const char *task_id, char **ret, struct error *err);
	int (*container_path)(const char *task_id, const char *container, char **ret,
			      struct error *err);
	int (*create)(const char *mount, const char *path, struct error *err);
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

/* The drivers in order of preference (cgroups/cgroup_drivers.c), NULL-terminated. */
extern const struct cgroup_driver *const cgroup_drivers[];

/* The driver of this process: the first usable one of the table, picked at the first call
 * and the same ever after. The functions of cgroup.h go through it; the agent holds it to
 * name the cgroups of its tasks. tether-monitor receives its container's cgroup path in
 * config.json and never names one. */
const struct cgroup_driver *cgroup_driver_choose(void);

