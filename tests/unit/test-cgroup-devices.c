/* The cgroup device filter against the real kernel (as root): a process in the cgroup opens
 * and makes device nodes, and only what the rules allow succeeds. On a hybrid host this also
 * shows that the filter holds on the v2 tree that has no controllers. */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/wait.h>
#include <unistd.h>

#include "cgroups/cgroup.h"
#include "cgroups/device_filter.h"
#include "common/cleanup.h"
#include "tests/unit/test.h"

static bool can_filter(void)
{
	char *mount = NULL;
	struct error err = { 0 };
	if (geteuid() != 0 || cgroup_mount_point(&mount, &err) < 0) {
		test_skip("needs root and cgroup2");
		return false;
	}
	free(mount);
	if (cgroup_device_filter_probe(&err) < 0) {
		test_skip("no cgroup device programs here: %s", err.message);
		return false;
	}
	return true;
}

/* "ok" or the errno name of one attempt, appended to OUT. */
static void note(char *out, size_t size, const char *what, int r)
{
	size_t len = strlen(out);
	snprintf(out + len, size - len, "%s=%s ", what,
		 r >= 0 ? "ok" : errno == EPERM ? "EPERM" : errno == EACCES ? "EACCES" : "other");
}

static int try_open(const char *path, int flags)
{
	int fd = open(path, flags | O_CLOEXEC);
	if (fd >= 0)
		close(fd);
	return fd;
}

/* Runs the attempts in a child moved into the cgroup first; returns what it saw. */
static const char *attempts_in(const char *cgroup, const char *node_dir)
{
	static char seen[512];
	char *mount = NULL;
	struct error err = { 0 };
	if (cgroup_mount_point(&mount, &err) < 0)
		return "no mount";
	char procs[4200], node[4200];
	snprintf(procs, sizeof(procs), "%s/%s/cgroup.procs", mount, cgroup);
	snprintf(node, sizeof(node), "%s/node", node_dir);
	free(mount);
	int pipefd[2];
	if (pipe2(pipefd, O_CLOEXEC) < 0)
		return "no pipe";
	pid_t child = fork();
	if (child == 0) {
		char out[512] = "";
		int fd = open(procs, O_WRONLY | O_CLOEXEC);
		if (fd < 0 || write(fd, "0", 1) != 1)
			_exit(1);
		note(out, sizeof(out), "null-rw", try_open("/dev/null", O_RDWR));
		note(out, sizeof(out), "zero-r", try_open("/dev/zero", O_RDONLY));
		note(out, sizeof(out), "zero-w", try_open("/dev/zero", O_WRONLY));
		note(out, sizeof(out), "full-r", try_open("/dev/full", O_RDONLY));
		unlink(node);
		note(out, sizeof(out), "mknod-1:7", mknod(node, S_IFCHR | 0600, makedev(1, 7)));
		unlink(node);
		note(out, sizeof(out), "mknod-1:8", mknod(node, S_IFCHR | 0600, makedev(1, 8)));
		unlink(node);
		note(out, sizeof(out), "mknod-b7:0", mknod(node, S_IFBLK | 0600, makedev(7, 0)));
		unlink(node);
		if (write(pipefd[1], out, strlen(out)) < 0)
			_exit(1);
		_exit(0);
	}
	close(pipefd[1]);
	ssize_t n = child > 0 ? read(pipefd[0], seen, sizeof(seen) - 1) : -1;
	close(pipefd[0]);
	int status;
	if (child > 0)
		waitpid(child, &status, 0);
	seen[n > 0 ? n : 0] = '\0';
	return seen;
}

TEST(device_filter_allows_exactly_its_rules)
{
	if (!can_filter())
		return;
	char path[128];
	snprintf(path, sizeof(path), "tether-unit-dev-%d/leaf", (int)getpid());
	struct error err = { 0 };
	ASSERT_INT_EQ(cgroup_create(path, &err), 0);
	int fd = -1;
	ASSERT_INT_EQ(cgroup_open(path, &fd, &err), 0);
	const struct cgroup_device_rule rules[] = {
		{ 'c', 1, 3, CGROUP_DEVICE_READ | CGROUP_DEVICE_WRITE },
		{ 'c', 1, 5, CGROUP_DEVICE_READ },
		{ 'c', 1, 7, CGROUP_DEVICE_MKNOD },
	};
	ASSERT_INT_EQ(cgroup_device_filter_attach(fd, rules, ELEMENTSOF(rules), &err), 0);
	const char *seen = attempts_in(path, test_tmpdir());
	ASSERT_STR_EQ(seen, "null-rw=ok zero-r=ok zero-w=EPERM full-r=EPERM mknod-1:7=ok "
			    "mknod-1:8=EPERM mknod-b7:0=EPERM ");

	/* A second filter replaces the first: what only the first allowed is refused now. */
	const struct cgroup_device_rule any_char_read[] = {
		{ 'c', CGROUP_DEVICE_ANY, CGROUP_DEVICE_ANY, CGROUP_DEVICE_READ },
	};
	ASSERT_INT_EQ(cgroup_device_filter_attach(fd, any_char_read, 1, &err), 0);
	seen = attempts_in(path, test_tmpdir());
	ASSERT_STR_EQ(seen, "null-rw=EPERM zero-r=ok zero-w=EPERM full-r=ok mknod-1:7=EPERM "
			    "mknod-1:8=EPERM mknod-b7:0=EPERM ");

	/* No rule: nothing. */
	ASSERT_INT_EQ(cgroup_device_filter_attach(fd, NULL, 0, &err), 0);
	seen = attempts_in(path, test_tmpdir());
	ASSERT_STR_EQ(seen, "null-rw=EPERM zero-r=EPERM zero-w=EPERM full-r=EPERM "
			    "mknod-1:7=EPERM mknod-1:8=EPERM mknod-b7:0=EPERM ");
	close(fd);
	char top[64];
	snprintf(top, sizeof(top), "tether-unit-dev-%d", (int)getpid());
	ASSERT_INT_EQ(cgroup_remove(top, &err), 0);
}

TEST(device_filter_refuses_bad_rules)
{
	/* Refused while the program is built, before the kernel or the cgroup is asked. */
	struct error err = { 0 };
	const struct cgroup_device_rule bad_type[] = { { 'x', 1, 3, CGROUP_DEVICE_READ } };
	ASSERT_INT_EQ(cgroup_device_filter_attach(-1, bad_type, 1, &err), -EINVAL);
	const struct cgroup_device_rule bad_access[] = { { 'c', 1, 3, 8 } };
	ASSERT_INT_EQ(cgroup_device_filter_attach(-1, bad_access, 1, &err), -EINVAL);
	const struct cgroup_device_rule bad_major[] = { { 'b', -2, 0, CGROUP_DEVICE_READ } };
	ASSERT_INT_EQ(cgroup_device_filter_attach(-1, bad_major, 1, &err), -EINVAL);
}
