/* The parsers behind `tether check` and the verdict its items lead to. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <linux/magic.h>

#include "agent/host/host_check.h"
#include "agent/host/host_probe.h"
#include "agent/host/state_dir_fs.h"
#include "agent/tasks/task_limits.h"
#include "cgroups/cgroup.h"
#include "cgroups/cgroup_layout.h"
#include "tests/unit/test.h"

/* Lines as the kernel writes them, optional fields and all. */
static const char hybrid_mountinfo[] =
	"22 1 8:1 / / rw,relatime shared:1 - ext4 /dev/sda1 rw\n"
	"30 22 0:27 / /sys/fs/cgroup ro,nosuid shared:9 - tmpfs tmpfs ro,mode=755\n"
	"31 30 0:28 / /sys/fs/cgroup/unified rw,nosuid shared:10 - cgroup2 cgroup2 rw,nsdelegate\n"
	"32 30 0:29 / /sys/fs/cgroup/systemd rw,nosuid shared:11 - cgroup cgroup rw,name=systemd\n"
	"34 30 0:31 / /sys/fs/cgroup/memory rw,nosuid shared:13 - cgroup cgroup rw,memory\n";

static const char unified_mountinfo[] =
	"22 1 8:1 / / rw,relatime shared:1 - ext4 /dev/sda1 rw\n"
	"30 22 0:27 / /sys/fs/cgroup rw,nosuid,nodev,noexec shared:9 - cgroup2 cgroup2 rw\n";

/* A type named like cgroup must not count as one; nor must "cgroup" in a source field. */
static const char legacy_mountinfo[] =
	"22 1 8:1 / / rw,relatime shared:1 - ext4 /dev/sda1 rw\n"
	"40 22 0:40 / /mnt/x rw shared:20 - cgroupfake cgroup2 rw\n"
	"34 22 0:31 / /sys/fs/cgroup/memory rw,nosuid - cgroup cgroup rw,memory";

static void expect_layout(const char *mountinfo, const char *v2_mount, bool has_v1,
			  const char *mode)
{
	struct cgroup_layout l;
	struct error err = { 0 };
	ASSERT_INT_EQ(cgroup_layout_parse(mountinfo, &l, &err), 0);
	if (v2_mount)
		ASSERT_STR_EQ(l.v2_mount, v2_mount);
	else
		ASSERT_TRUE(l.v2_mount == NULL);
	ASSERT_INT_EQ(l.has_v1, has_v1);
	ASSERT_STR_EQ(cgroup_mode_name(cgroup_layout_mode(&l)), mode);
	cgroup_layout_release(&l);
}

TEST(mountinfo_of_a_hybrid_host)
{
	expect_layout(hybrid_mountinfo, "/sys/fs/cgroup/unified", true, "hybrid");
}

TEST(mountinfo_of_a_unified_host)
{
	expect_layout(unified_mountinfo, "/sys/fs/cgroup", false, "unified");
}

TEST(mountinfo_of_a_legacy_host)
{
	expect_layout(legacy_mountinfo, NULL, true, "legacy");
}

TEST(mountinfo_escapes_are_undone_in_the_mount_point)
{
	expect_layout("30 22 0:27 / /run/my\\040cgroups rw - cgroup2 none rw\n", "/run/my cgroups",
		      false, "unified");
}

TEST(mountinfo_of_nothing_is_legacy_without_v1)
{
	expect_layout("garbage without a separator\n\n", NULL, false, "legacy");
}

TEST(controllers_file_becomes_a_list)
{
	char all[] = "cpuset cpu io memory hugetlb pids rdma misc\n";
	cgroup_controllers_to_csv(all);
	ASSERT_STR_EQ(all, "cpuset,cpu,io,memory,hugetlb,pids,rdma,misc");
	char one[] = "hugetlb\n";
	cgroup_controllers_to_csv(one);
	ASSERT_STR_EQ(one, "hugetlb");
	char none[] = "\n";
	cgroup_controllers_to_csv(none);
	ASSERT_STR_EQ(none, "");
}

static void expect_missing(const char *available, const char *missing_expected)
{
	char *missing = NULL;
	ASSERT_INT_EQ(task_limits_missing_for_any_task(available, &missing), 0);
	ASSERT_STR_EQ(missing, missing_expected);
	free(missing);
}

TEST(limits_need_cpu_memory_and_pids)
{
	expect_missing("hugetlb", "cpu,memory,pids");
	expect_missing("", "cpu,memory,pids");
	expect_missing("cpu,io,memory", "pids");
	expect_missing("cpuset,cpu,io,memory,hugetlb,pids", "");
}

TEST(filesystems_list)
{
	const char text[] = "nodev\tsysfs\nnodev\tcgroup2\n\text4\nnodev\toverlay\n";
	ASSERT_TRUE(host_filesystems_list_has(text, "overlay"));
	ASSERT_TRUE(host_filesystems_list_has(text, "ext4"));
	ASSERT_TRUE(!host_filesystems_list_has(text, "cgroup"));
	ASSERT_TRUE(!host_filesystems_list_has("nodev\toverlayfs\n", "overlay"));
}

TEST(proc_cgroup_v2_line)
{
	char *path = NULL;
	ASSERT_INT_EQ(host_proc_cgroup_v2_path("12:pids:/x\n1:name=systemd:/s\n0::/system.slice/tether.service\n",
					       &path), 0);
	ASSERT_STR_EQ(path, "/system.slice/tether.service");
	free(path);
	ASSERT_INT_EQ(host_proc_cgroup_v2_path("0::/\n", &path), 0);
	ASSERT_STR_EQ(path, "/");
	free(path);
	ASSERT_INT_EQ(host_proc_cgroup_v2_path("4:memory:/a\n", &path), -ENOENT);
}

TEST(overlayfs_cannot_hold_an_upper_dir)
{
	ASSERT_TRUE(!state_dir_fs_holds_overlay_upper(OVERLAYFS_SUPER_MAGIC));
	ASSERT_TRUE(state_dir_fs_holds_overlay_upper(TMPFS_MAGIC));
	ASSERT_TRUE(state_dir_fs_holds_overlay_upper(EXT4_SUPER_MAGIC));
}

TEST(state_dir_not_made_yet_is_judged_by_its_parent)
{
	char dir[4200];
	snprintf(dir, sizeof(dir), "%s/not/made/yet", test_tmpdir());
	struct error err = { 0 };
	/* The test folder is on the host's /tmp or a tmpfs, never on overlayfs in our runs. */
	ASSERT_INT_EQ(state_dir_check_filesystem(dir, &err), 0);
}

static struct host_item it(enum host_need need, bool ok)
{
	return (struct host_item){ .key = "k", .what = "thing", .need = need, .ok = ok,
				   .detail = "detail", .fix = "the fix" };
}

TEST(verdict_with_everything)
{
	struct host_item items[] = { it(HOST_NEED_TO_RUN, true), it(HOST_NEED_FOR_LIMITS, true),
				     it(HOST_NEED_NOTHING, false) };
	ASSERT_INT_EQ(host_verdict_of(items, 3), HOST_RUNS_WITH_LIMITS);
	char buf[512];
	host_verdict_summary(items, 3, "", buf, sizeof(buf));
	ASSERT_STR_EQ(buf, "tasks can run with their limits");
}

TEST(verdict_without_controllers_names_them_and_the_flag)
{
	struct host_item items[] = { it(HOST_NEED_TO_RUN, true), it(HOST_NEED_FOR_LIMITS, false) };
	ASSERT_INT_EQ(host_verdict_of(items, 2), HOST_RUNS_WITHOUT_LIMITS);
	char buf[512];
	host_verdict_summary(items, 2, "cpu,memory", buf, sizeof(buf));
	ASSERT_CONTAINS(buf, "only without their limits");
	ASSERT_CONTAINS(buf, "cpu,memory");
	ASSERT_CONTAINS(buf, "--allow-no-limits");
}

TEST(verdict_cannot_run_names_each_missing_item_and_fix)
{
	struct host_item items[] = { it(HOST_NEED_FOR_LIMITS, false), it(HOST_NEED_TO_RUN, false),
				     it(HOST_NEED_TO_RUN, true), it(HOST_NEED_TO_RUN, false) };
	strcpy(items[3].detail, "second detail");
	ASSERT_INT_EQ(host_verdict_of(items, 4), HOST_CANNOT_RUN);
	char buf[512];
	host_verdict_summary(items, 4, "cpu", buf, sizeof(buf));
	ASSERT_STR_EQ(buf, "tasks cannot run: thing: detail (fix: the fix); thing: second detail "
			   "(fix: the fix)");
}
