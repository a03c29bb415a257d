/* The front of the cgroup library: finds the v2 mount once and hands every call to the
 * driver picked at start-up (cgroup_driver_choose). */
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cgroups/cgroup.h"
#include "cgroups/cgroup_driver.h"
#include "cgroups/cgroup_layout.h"
#include "common/cleanup.h"
#include "common/fileio.h"

static int read_cgroup2_mount(char **ret_path, struct error *err)
{
	struct cgroup_layout layout;
	int r = cgroup_layout_read(&layout, err);
	if (r < 0)
		return r;
	if (!layout.v2_mount)
		return error_set(err, ENOENT, "no cgroup2 hierarchy is mounted");
	*ret_path = TAKE_PTR(layout.v2_mount);
	return 0;
}

/* Read once per process: the agent calls this for every cgroup it touches, and the cgroup2
 * mount does not move under a running agent. */
static int find_cgroup2_mount(char **ret_path, struct error *err)
{
	static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
	static char *found;
	pthread_mutex_lock(&lock);
	int r = found ? 0 : read_cgroup2_mount(&found, err);
	char *copy = r < 0 ? NULL : strdup(found);
	pthread_mutex_unlock(&lock);
	if (r < 0)
		return r;
	if (!copy)
		return error_set(err, ENOMEM, "cgroup mount point");
	*ret_path = copy;
	return 0;
}

int cgroup_mount_point(char **ret_path, struct error *err)
{
	return find_cgroup2_mount(ret_path, err);
}

int cgroup_available_controllers(char **ret_csv, struct error *err)
{
	_cleanup_free_ char *mount = NULL;
	int r = find_cgroup2_mount(&mount, err);
	if (r < 0)
		return r;
	/* What the driver's tree offers: under a delegated unit, what systemd gave the unit. */
	_cleanup_free_ char *root = NULL, *path = NULL;
	r = cgroup_driver_choose()->tree_root(&root, err);
	if (r < 0)
		return r;
	if (asprintf(&path, "%s%s%s/cgroup.controllers", mount, root[0] ? "/" : "", root) < 0)
		return error_set(err, ENOMEM, "cgroup controllers");
	_cleanup_free_ char *data = NULL;
	r = read_file_full(path, 4096, &data, NULL);
	if (r < 0)
		return error_set_errno(err, r, "read %s", path);
	cgroup_controllers_to_csv(data);
	*ret_csv = TAKE_PTR(data);
	return 0;
}

void cgroup_controllers_to_csv(char *text)
{
	char *out = text;
	bool in_name = false;
	for (const char *p = text; *p; p++) {
		if (*p == ' ' || *p == '\n' || *p == '\t') {
			in_name = false;
			continue;
		}
		if (!in_name && out != text)
			*out++ = ',';
		in_name = true;
		*out++ = *p;
	}
	*out = '\0';
}

int cgroup_limits_controllers(const struct cgroup_limits *l, char **ret_csv)
{
	char buf[64] = "";
	if (l->cpu_units)
		strcat(buf, "cpu,");
	if (l->memory_max_bytes || l->memory_low_bytes)
		strcat(buf, "memory,");
	if (l->pids_max)
		strcat(buf, "pids,");
	size_t n = strlen(buf);
	if (n)
		buf[n - 1] = '\0';
	char *csv = strdup(buf);
	if (!csv)
		return -ENOMEM;
	*ret_csv = csv;
	return 0;
}

/* The mapping used for cpu shares: 2..262144 shares onto weights 1..10000. */
uint64_t cgroup_cpu_weight(uint32_t units)
{
	uint64_t shares = units < 2 ? 2 : units > 262144 ? 262144 : units;
	return 1 + ((shares - 2) * 9999) / 262142;
}

/* Never below 1% of a CPU, which the kernel would take but no process could run under. */
uint64_t cgroup_cpu_quota_usec(uint32_t units, uint64_t period_usec)
{
	uint64_t quota = (uint64_t)units * period_usec / 1024;
	return quota < period_usec / 100 ? period_usec / 100 : quota;
}

#define WITH_MOUNT(call)                                                      \
	do {                                                                  \
		_cleanup_free_ char *mount_ = NULL;                           \
		int r_ = find_cgroup2_mount(&mount_, err);                    \
		if (r_ < 0)                                                   \
			return r_;                                            \
		const char *mount = mount_;                                   \
		const struct cgroup_driver *driver = cgroup_driver_choose();  \
		return call;                                                  \
	} while (0)

int cgroup_prepare(struct error *err)
{
	WITH_MOUNT(driver->prepare ? driver->prepare(mount, err) : 0);
}

int cgroup_create(const char *path, struct error *err)
{
	WITH_MOUNT(driver->create(mount, path, err));
}

int cgroup_create_for_monitor(const char *path, pid_t pid, struct error *err)
{
	WITH_MOUNT(driver->create_for_monitor ? driver->create_for_monitor(mount, path, pid, err)
					      : driver->create(mount, path, err));
}

int cgroup_open(const char *path, int *ret_fd, struct error *err)
{
	WITH_MOUNT(driver->open(mount, path, ret_fd, err));
}

int cgroup_set_limits(const char *path, const struct cgroup_limits *limits, struct error *err)
{
	WITH_MOUNT(driver->set_limits(mount, path, limits, err));
}

int cgroup_kill(const char *path, struct error *err)
{
	WITH_MOUNT(driver->kill(mount, path, err));
}

int cgroup_is_populated(const char *path, bool *ret, struct error *err)
{
	WITH_MOUNT(driver->is_populated(mount, path, ret, err));
}

int cgroup_oom_kills(const char *path, uint64_t *ret, struct error *err)
{
	WITH_MOUNT(driver->oom_kills(mount, path, ret, err));
}

int cgroup_remove(const char *path, struct error *err)
{
	WITH_MOUNT(driver->remove(mount, path, err));
}

int cgroup_read_stats(const char *path, struct cgroup_stats *ret, struct error *err)
{
	WITH_MOUNT(driver->stats(mount, path, ret, err));
}
