/* The cgroupfs driver's pieces shared between its files. */
#pragma once

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "cgroups/cgroup.h"

/* Read "KEY VALUE" from a flat keyed cgroup file (cpu.stat, memory.events) in folder DIR;
 * -ENOENT when the file or the key is missing. */
int cgroup_read_keyed(const char *dir, const char *file, const char *key, uint64_t *ret);

/* The checked absolute folder of cgroup PATH below MOUNT. */
int cgroupfs_dir(const char *mount, const char *path, char **ret, struct error *err);
/* The driver's operations, which the delegated driver shares (cgroups/cgroup_driver.h). */
int cgroupfs_open(const char *mount, const char *path, int *ret_fd, struct error *err);
/* Create the leaf PATH, whose parent exists, without enabling any controller in the parent
 * (which may hold processes: a container's cgroup), and open it as cgroupfs_open does. Every
 * driver's cgroups are plain folders below a container's. */
int cgroupfs_create_leaf(const char *mount, const char *path, int *ret_fd, struct error *err);
int cgroupfs_set_limits(const char *mount, const char *path, const struct cgroup_limits *limits,
			struct error *err);
int cgroupfs_kill(const char *mount, const char *path, struct error *err);
int cgroupfs_is_populated(const char *mount, const char *path, bool *ret, struct error *err);
int cgroupfs_oom_kills(const char *mount, const char *path, uint64_t *ret, struct error *err);
int cgroupfs_remove(const char *mount, const char *path, struct error *err);
/* Best effort: enable in folder DIR's subtree_control every controller DIR has. */
void cgroupfs_enable_subtree(const char *dir);
/* Create folder FULL's levels after FROM (the '/' in FULL that ends an existing cgroup), and
 * enable controllers in each new inner level for the next. */
int cgroupfs_create_levels(char *full, char *from, struct error *err);
/* Create PATH's missing levels below its first ROOT_LEN characters (an existing cgroup, whose
 * controllers are opened to the first new level), as cgroupfs_create_levels does. */
int cgroupfs_create_below(const char *mount, const char *path, size_t root_len,
			  struct error *err);
/* Move process PID into the leaf PATH, created when missing. */
int cgroupfs_move_process(const char *mount, const char *path, pid_t pid, struct error *err);
int cgroupfs_stats(const char *mount, const char *path, struct cgroup_stats *ret,
		   struct error *err);
/* "tether/<task-id>" and "tether/<task-id>/<container>". */
int cgroupfs_task_path(const char *task_id, char **ret, struct error *err);
int cgroupfs_container_path(const char *task_id, const char *container, char **ret,
			    struct error *err);
