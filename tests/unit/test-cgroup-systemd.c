/* The systemd cgroup driver's names, paths and unit properties: pure functions, no bus. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "cgroups/systemd_unit.h"
#include "common/cleanup.h"
#include "tests/unit/test.h"

TEST(unit_name_escaping_keeps_safe_characters_and_escapes_the_rest)
{
	_cleanup_free_ char *a = NULL, *b = NULL, *c = NULL, *d = NULL;
	ASSERT_INT_EQ(systemd_unit_escape("abcXYZ019:_.", &a), 0);
	ASSERT_STR_EQ(a, "abcXYZ019:_.");
	/* '-' would make a level of slices: systemd-escape gives \x2d. */
	ASSERT_INT_EQ(systemd_unit_escape("a-b", &b), 0);
	ASSERT_STR_EQ(b, "a\\x2db");
	ASSERT_INT_EQ(systemd_unit_escape(".hidden/x y", &c), 0);
	ASSERT_STR_EQ(c, "\\x2ehidden\\x2fx\\x20y");
	ASSERT_INT_EQ(systemd_unit_escape("", &d), 0);
	ASSERT_STR_EQ(d, "");
}

TEST(a_task_is_a_slice_below_tether_slice)
{
	_cleanup_free_ char *slice = NULL, *path = NULL;
	struct error err = { 0 };
	ASSERT_INT_EQ(systemd_task_slice("1f2e-3d", &slice, &err), 0);
	ASSERT_STR_EQ(slice, "tether-1f2e\\x2d3d.slice");
	ASSERT_INT_EQ(systemd_task_path("1f2e-3d", &path, &err), 0);
	ASSERT_STR_EQ(path, "tether.slice/tether-1f2e\\x2d3d.slice");
}

TEST(a_container_is_a_scope_in_its_task_slice_with_a_container_leaf)
{
	_cleanup_free_ char *scope = NULL, *path = NULL;
	struct error err = { 0 };
	ASSERT_INT_EQ(systemd_container_scope("t1", "web-app", &scope, &err), 0);
	ASSERT_STR_EQ(scope, "tether-t1-web\\x2dapp.scope");
	ASSERT_INT_EQ(systemd_container_path("t1", "web-app", &path, &err), 0);
	ASSERT_STR_EQ(path, "tether.slice/tether-t1.slice/tether-t1-web\\x2dapp.scope/container");
}

TEST(a_unit_name_longer_than_systemd_takes_is_refused_by_name)
{
	char id[65];
	memset(id, '-', 64);
	id[64] = '\0';
	char *slice = NULL;
	struct error err = { 0 };
	ASSERT_INT_EQ(systemd_task_slice(id, &slice, &err), -ENAMETOOLONG);
	ASSERT_TRUE(slice == NULL);
	ASSERT_CONTAINS(err.message, "longer than systemd takes");
}

TEST(paths_say_which_unit_they_belong_to)
{
	struct systemd_path p = { 0 };
	ASSERT_INT_EQ(systemd_path_parse("tether.slice/tether-t1.slice", &p), 0);
	ASSERT_INT_EQ(p.kind, SYSTEMD_PATH_SLICE);
	ASSERT_STR_EQ(p.unit, "tether-t1.slice");
	systemd_path_release(&p);

	const char *in = "tether.slice/tether-t1.slice/tether-t1-a.scope/container";
	ASSERT_INT_EQ(systemd_path_parse(in, &p), 0);
	ASSERT_INT_EQ(p.kind, SYSTEMD_PATH_IN_SCOPE);
	ASSERT_STR_EQ(p.unit, "tether-t1-a.scope");
	ASSERT_STR_EQ(p.slice, "tether-t1.slice");
	ASSERT_INT_EQ((int)p.unit_end, (int)strlen("tether.slice/tether-t1.slice/tether-t1-a.scope"));
	systemd_path_release(&p);

	ASSERT_INT_EQ(systemd_path_parse("tether.slice/tether-t1.slice/tether-t1-a.scope", &p), 0);
	ASSERT_INT_EQ(p.kind, SYSTEMD_PATH_SCOPE);
	systemd_path_release(&p);

	ASSERT_INT_EQ(systemd_path_parse("tether/t1/a", &p), 0);
	ASSERT_INT_EQ(p.kind, SYSTEMD_PATH_OTHER);
	ASSERT_TRUE(p.unit == NULL);
	systemd_path_release(&p);
}

TEST(task_limits_become_unit_properties)
{
	struct cgroup_limits l = {
		.cpu_units = 256, .cpu_hard = true, .memory_max_bytes = 64 << 20,
		.memory_low_bytes = 32 << 20, .pids_max = 100,
	};
	struct systemd_property p[SYSTEMD_LIMIT_PROPERTIES_MAX];
	ASSERT_INT_EQ((int)systemd_limit_properties(&l, p), 5);
	ASSERT_STR_EQ(p[0].name, "CPUWeight");
	ASSERT_INT_EQ((int)p[0].value, (int)cgroup_cpu_weight(256));
	/* A quarter of a CPU: 250 ms of each second, as cpu.max "25000 100000". */
	ASSERT_STR_EQ(p[1].name, "CPUQuotaPerSecUSec");
	ASSERT_INT_EQ((int)p[1].value, 250000);
	ASSERT_STR_EQ(p[2].name, "MemoryMax");
	ASSERT_INT_EQ((int)p[2].value, 64 << 20);
	ASSERT_STR_EQ(p[3].name, "MemoryLow");
	ASSERT_INT_EQ((int)p[3].value, 32 << 20);
	ASSERT_STR_EQ(p[4].name, "TasksMax");
	ASSERT_INT_EQ((int)p[4].value, 100);
}

TEST(a_soft_cpu_share_sets_a_weight_and_no_quota)
{
	struct cgroup_limits l = { .cpu_units = 1024 };
	struct systemd_property p[SYSTEMD_LIMIT_PROPERTIES_MAX];
	ASSERT_INT_EQ((int)systemd_limit_properties(&l, p), 1);
	ASSERT_STR_EQ(p[0].name, "CPUWeight");
	struct cgroup_limits none = { 0 };
	ASSERT_INT_EQ((int)systemd_limit_properties(&none, p), 0);
}

TEST(a_tiny_quota_is_one_percent_of_a_cpu)
{
	ASSERT_INT_EQ((int)cgroup_cpu_quota_usec(1, 1000000), 10000);
	ASSERT_INT_EQ((int)cgroup_cpu_quota_usec(1, 100000), 1000);
	ASSERT_INT_EQ((int)cgroup_cpu_quota_usec(2048, 100000), 200000);
}
