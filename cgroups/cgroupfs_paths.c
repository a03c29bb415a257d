/* Where the cgroupfs driver puts tasks and containers: one folder per task below "tether",
 * one per container below its task's, so that the task's limits bound its containers. */
#include <errno.h>
#include <stdio.h>

#include "cgroups/cgroupfs.h"

#define CGROUPFS_ROOT "tether"

int cgroupfs_task_path(const char *task_id, char **ret, struct error *err)
{
	if (asprintf(ret, CGROUPFS_ROOT "/%s", task_id) < 0) {
		*ret = NULL;
		return error_set(err, ENOMEM, "cgroup of task %s", task_id);
	}
	return 0;
}

int cgroupfs_container_path(const char *task_id, const char *container, char **ret,
			    struct error *err)
{
	if (asprintf(ret, CGROUPFS_ROOT "/%s/%s", task_id, container) < 0) {
		*ret = NULL;
		return error_set(err, ENOMEM, "cgroup of container %s", container);
	}
	return 0;
}
