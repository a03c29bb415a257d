/* The cgroupfs driver's pieces shared between its files. */
#pragma once

#include <stdint.h>

#include "cgroups/cgroup.h"

/* Read "KEY VALUE" from a flat keyed cgroup file (cpu.stat, memory.events) in folder DIR;
 * -ENOENT when the file or the key is missing. */
int cgroup_read_keyed(const char *dir, const char *file, const char *key, uint64_t *ret);

/* The checked absolute folder of cgroup PATH below MOUNT. */
int cgroupfs_dir(const char *mount, const char *path, char **ret, struct error *err);
int cgroupfs_stats(const char *mount, const char *path, struct cgroup_stats *ret,
		   struct error *err);
/* "tether/<task-id>" and "tether/<task-id>/<container>". */
int cgroupfs_task_path(const char *task_id, char **ret, struct error *err);
int cgroupfs_container_path(const char *task_id, const char *container, char **ret,
			    struct error *err);
