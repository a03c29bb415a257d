/* The cgroupfs driver against the host's real cgroup2 tree (as root). */
#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "cgroups/cgroup.h"
#include "cgroups/cgroup_driver.h"
#include "tests/unit/test.h"

static bool have_cgroup2(void)
{
	char *mount = NULL;
	struct error err = { 0 };
	if (geteuid() != 0 || cgroup_mount_point(&mount, &err) < 0)
		return false;
	free(mount);
	return true;
}

TEST(mount_point_is_a_cgroup2_root)
{
	char *mount = NULL;
	struct error err = { 0 };
	if (cgroup_mount_point(&mount, &err) < 0) {
		test_skip("no cgroup2: %s", err.message);
		return;
	}
	char path[4200];
	snprintf(path, sizeof(path), "%s/cgroup.controllers", mount);
	ASSERT_INT_EQ(access(path, F_OK), 0);
	free(mount);
	char *csv = NULL;
	ASSERT_INT_EQ(cgroup_available_controllers(&csv, &err), 0);
	ASSERT_TRUE(strchr(csv, ' ') == NULL);
	free(csv);
}

TEST(paths_cannot_escape)
{
	struct error err = { 0 };
	ASSERT_INT_EQ(cgroup_create("../x", &err), -EINVAL);
	ASSERT_INT_EQ(cgroup_create("/abs", &err), -EINVAL);
	ASSERT_INT_EQ(cgroup_create("a//b", &err), -EINVAL);
	ASSERT_INT_EQ(cgroup_remove("a/./b", &err), -EINVAL);
}

TEST(the_chosen_driver_comes_from_the_table)
{
	const struct cgroup_driver *d = cgroup_driver_choose();
	bool listed = false;
	for (size_t i = 0; cgroup_drivers[i]; i++)
		listed |= cgroup_drivers[i] == d;
	ASSERT_TRUE(listed);
	struct error err = { 0 };
	ASSERT_INT_EQ(d->usable(false, &err), 0);
	ASSERT_TRUE(cgroup_driver_choose() == d);
}

TEST(cgroupfs_names_tasks_and_their_containers)
{
	struct error err = { 0 };
	char *task = NULL, *container = NULL;
	ASSERT_INT_EQ(cgroup_driver_cgroupfs.task_path("0123abcd", &task, &err), 0);
	ASSERT_STR_EQ(task, "tether/0123abcd");
	ASSERT_INT_EQ(cgroup_driver_cgroupfs.container_path("0123abcd", "app", &container, &err), 0);
	ASSERT_STR_EQ(container, "tether/0123abcd/app");
	free(task);
	free(container);
}

TEST(limits_name_their_controllers)
{
	struct cgroup_limits l = { .cpu_units = 1, .memory_low_bytes = 1, .pids_max = 1 };
	char *csv = NULL;
	ASSERT_INT_EQ(cgroup_limits_controllers(&l, &csv), 0);
	ASSERT_STR_EQ(csv, "cpu,memory,pids");
	free(csv);
}

TEST(create_populate_kill_remove)
{
	if (!have_cgroup2()) {
		test_skip("needs root and cgroup2");
		return;
	}
	char path[128];
	snprintf(path, sizeof(path), "tether-unit-%d/leaf", (int)getpid());
	struct error err = { 0 };
	ASSERT_INT_EQ(cgroup_create(path, &err), 0);
	int fd = -1;
	ASSERT_INT_EQ(cgroup_open(path, &fd, &err), 0);
	bool populated = true;
	ASSERT_INT_EQ(cgroup_is_populated(path, &populated, &err), 0);
	ASSERT_TRUE(!populated);

	pid_t child = fork();
	if (child == 0) {
		pause();
		_exit(0);
	}
	char *mount = NULL;
	ASSERT_INT_EQ(cgroup_mount_point(&mount, &err), 0);
	char procs[4200];
	snprintf(procs, sizeof(procs), "%s/%s/cgroup.procs", mount, path);
	free(mount);
	FILE *f = fopen(procs, "we");
	ASSERT_TRUE(f);
	fprintf(f, "%d\n", (int)child);
	ASSERT_INT_EQ(fclose(f), 0);
	ASSERT_INT_EQ(cgroup_is_populated(path, &populated, &err), 0);
	ASSERT_TRUE(populated);
	ASSERT_INT_EQ(cgroup_remove(path, &err), -EBUSY);

	ASSERT_INT_EQ(cgroup_kill(path, &err), 0);
	int status;
	ASSERT_INT_EQ(waitpid(child, &status, 0), child);
	ASSERT_TRUE(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL);
	for (int i = 0; i < 100 && populated; i++) {
		cgroup_is_populated(path, &populated, &err);
		usleep(10000);
	}
	ASSERT_TRUE(!populated);
	close(fd);
	char top[64];
	snprintf(top, sizeof(top), "tether-unit-%d", (int)getpid());
	ASSERT_INT_EQ(cgroup_remove(top, &err), 0);
	ASSERT_INT_EQ(cgroup_is_populated(path, &populated, &err), -ENOENT);
}

TEST(limits_report_the_missing_controller)
{
	if (!have_cgroup2()) {
		test_skip("needs root and cgroup2");
		return;
	}
	char *csv = NULL;
	struct error err = { 0 };
	ASSERT_INT_EQ(cgroup_available_controllers(&csv, &err), 0);
	bool has_memory = strstr(csv, "memory") != NULL;
	free(csv);
	if (has_memory) {
		test_skip("the memory controller is present: limits are proven in the VM");
		return;
	}
	char path[64];
	snprintf(path, sizeof(path), "tether-unit-lim-%d", (int)getpid());
	ASSERT_INT_EQ(cgroup_create(path, &err), 0);
	struct cgroup_limits l = { .memory_max_bytes = 64 << 20 };
	ASSERT_INT_EQ(cgroup_set_limits(path, &l, &err), -EOPNOTSUPP);
	ASSERT_CONTAINS(err.message, "memory controller");
	ASSERT_INT_EQ(cgroup_remove(path, &err), 0);
}
