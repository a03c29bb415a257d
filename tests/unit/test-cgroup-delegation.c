/* The delegated cgroup driver's decisions: where a process's delegated subtree is, and how
 * its tasks and containers are named there. Pure functions: no cgroup tree needed. */
#include <errno.h>
#include <stdlib.h>

#include "cgroups/cgroup_driver.h"
#include "cgroups/delegation.h"
#include "common/cleanup.h"
#include "tests/unit/test.h"

TEST(the_v2_line_of_proc_cgroup_gives_the_path)
{
	_cleanup_free_ char *path = NULL;
	ASSERT_INT_EQ(cgroup_self_path_parse("12:pids:/x\n0::/system.slice/tether.service\n",
					     &path), 0);
	ASSERT_STR_EQ(path, "system.slice/tether.service");
	free(path);
	path = NULL;
	ASSERT_INT_EQ(cgroup_self_path_parse("0::/\n", &path), 0);
	ASSERT_STR_EQ(path, "");
}

TEST(proc_cgroup_without_a_v2_line_is_refused)
{
	char *path = NULL;
	ASSERT_INT_EQ(cgroup_self_path_parse("1:name=systemd:/\n7:memory:/\n", &path), -ENOENT);
	ASSERT_INT_EQ(cgroup_self_path_parse("", &path), -ENOENT);
	ASSERT_TRUE(path == NULL);
}

TEST(a_marked_unit_cgroup_is_the_root_and_the_agent_must_move)
{
	struct cgroup_delegation d = { 0 };
	struct error err = { 0 };
	ASSERT_INT_EQ(cgroup_delegation_decide("system.slice/tether.service", true, false, false,
					       &d, &err), 0);
	ASSERT_STR_EQ(d.root, "system.slice/tether.service");
	ASSERT_TRUE(!d.in_agent_leaf);
	/* systemd 252 would start the next agent in the root, among running tasks. */
	ASSERT_TRUE(!cgroup_delegation_survives_restart(&d));
	cgroup_delegation_release(&d);
}

TEST(the_agent_leaf_of_a_marked_root_belongs_to_that_root)
{
	struct cgroup_delegation d = { 0 };
	struct error err = { 0 };
	ASSERT_INT_EQ(cgroup_delegation_decide("system.slice/tether.service/agent", false, true,
					       false, &d, &err), 0);
	ASSERT_STR_EQ(d.root, "system.slice/tether.service");
	ASSERT_TRUE(d.in_agent_leaf);
	ASSERT_TRUE(cgroup_delegation_survives_restart(&d));
	cgroup_delegation_release(&d);
}

TEST(an_unmarked_cgroup_is_not_delegated_unless_chosen)
{
	struct cgroup_delegation d = { 0 };
	struct error err = { 0 };
	ASSERT_INT_EQ(cgroup_delegation_decide("user.slice/session-1.scope", false, false, false,
					       &d, &err), -ENOENT);
	ASSERT_CONTAINS(err.message, "not delegated");
	/* A leaf named agent under an unmarked parent is no exception. */
	ASSERT_INT_EQ(cgroup_delegation_decide("user.slice/agent", false, false, false, &d, &err),
		      -ENOENT);
	ASSERT_INT_EQ(cgroup_delegation_decide("user.slice/session-1.scope", false, false, true,
					       &d, &err), 0);
	ASSERT_STR_EQ(d.root, "user.slice/session-1.scope");
	cgroup_delegation_release(&d);
}

TEST(the_root_cgroup_is_never_taken_as_delegated)
{
	struct cgroup_delegation d = { 0 };
	struct error err = { 0 };
	ASSERT_INT_EQ(cgroup_delegation_decide("", false, false, true, &d, &err), -EPERM);
	ASSERT_CONTAINS(err.message, "root cgroup");
	ASSERT_TRUE(d.root == NULL);
}

TEST(tasks_and_containers_are_named_below_the_root)
{
	struct error err = { 0 };
	_cleanup_free_ char *agent = NULL, *tasks = NULL, *task = NULL, *container = NULL;
	const char *root = "system.slice/tether.service";
	ASSERT_INT_EQ(cgroup_delegation_agent_path(root, &agent, &err), 0);
	ASSERT_STR_EQ(agent, "system.slice/tether.service/agent");
	ASSERT_INT_EQ(cgroup_delegation_tasks_path(root, &tasks, &err), 0);
	ASSERT_STR_EQ(tasks, "system.slice/tether.service/tasks");
	ASSERT_INT_EQ(cgroup_delegation_task_path(root, "0123abcd", &task, &err), 0);
	ASSERT_STR_EQ(task, "system.slice/tether.service/tasks/0123abcd");
	ASSERT_INT_EQ(cgroup_delegation_container_path(root, "0123abcd", "app", &container, &err),
		      0);
	ASSERT_STR_EQ(container, "system.slice/tether.service/tasks/0123abcd/app");
}

TEST(drivers_are_found_by_name_and_listed)
{
	ASSERT_TRUE(cgroup_driver_by_name("delegated") == &cgroup_driver_delegated);
	ASSERT_TRUE(cgroup_driver_by_name("cgroupfs") == &cgroup_driver_cgroupfs);
	ASSERT_TRUE(cgroup_driver_by_name("systemd") == &cgroup_driver_systemd);
	ASSERT_TRUE(cgroup_driver_by_name("nosuch") == NULL);
	_cleanup_free_ char *names = NULL;
	ASSERT_INT_EQ(cgroup_driver_names(&names), 0);
	ASSERT_STR_EQ(names, "delegated, systemd, cgroupfs");
}

/* The choice is made once per process: this is the only test here that makes it. */
TEST(an_unknown_driver_in_the_environment_is_refused_by_name)
{
	ASSERT_INT_EQ(setenv(CGROUP_DRIVER_ENV, "nosuch", 1), 0);
	const struct cgroup_driver *d = NULL;
	struct error err = { 0 };
	ASSERT_INT_EQ(cgroup_driver_check(&d, &err), -EINVAL);
	ASSERT_CONTAINS(err.message, "unknown cgroup driver 'nosuch'");
	ASSERT_CONTAINS(err.message, "delegated, systemd, cgroupfs");
	/* Everything else falls back to the driver that needs nothing. */
	ASSERT_TRUE(cgroup_driver_choose() == &cgroup_driver_cgroupfs);
}
