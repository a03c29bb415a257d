/* The operations a cgroup driver provides (cgroupfs today; a systemd driver fits the same
 * table). Paths are relative to the v2 mount point, which every operation receives. */
#pragma once

#include <stdbool.h>
#include <stdint.h>

#include "cgroups/cgroup.h"

struct cgroup_driver {
	const char *name;
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

/* Read "KEY VALUE" from a flat keyed cgroup file (cpu.stat, memory.events) in folder DIR;
 * -ENOENT when the file or the key is missing. */
int cgroup_read_keyed(const char *dir, const char *file, const char *key, uint64_t *ret);

/* The cgroupfs driver's pieces shared between its files. */
int cgroupfs_dir(const char *mount, const char *path, char **ret, struct error *err);
int cgroupfs_stats(const char *mount, const char *path, struct cgroup_stats *ret,
		   struct error *err);
