/* Probes of kernel features, each as small as the question it answers: where a feature can
 * be tried (clone3, user namespaces), it is tried, in a child that ends at once. */
#include <errno.h>
#include <fcntl.h>
#include <linux/sched.h>
#include <linux/seccomp.h>
#include <sched.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <sys/xattr.h>
#include <unistd.h>

#include "agent/host/host_probe.h"
#include "cgroups/cgroup.h"
#include "common/cleanup.h"
#include "common/fileio.h"

#define PROC_FILE_MAX (64u << 10)

bool host_filesystems_list_has(const char *text, const char *name)
{
	size_t n = strlen(name);
	for (const char *line = text; *line;) {
		const char *end = strchrnul(line, '\n');
		/* "nodev\toverlay" or "\text4": the name is the last field. */
		const char *tab = memrchr(line, '\t', (size_t)(end - line));
		const char *field = tab ? tab + 1 : line;
		if ((size_t)(end - field) == n && !strncmp(field, name, n))
			return true;
		line = *end ? end + 1 : end;
	}
	return false;
}

int host_proc_cgroup_v2_path(const char *text, char **ret_path)
{
	for (const char *line = text; *line;) {
		const char *end = strchrnul(line, '\n');
		if (!strncmp(line, "0::", 3)) {
			char *path = strndup(line + 3, (size_t)(end - line - 3));
			if (!path)
				return -ENOMEM;
			*ret_path = path;
			return 0;
		}
		line = *end ? end + 1 : end;
	}
	return -ENOENT;
}

/* This process's cgroup as a path under the cgroup2 mount. */
static int own_cgroup_dir(char **ret_dir, char **ret_path, struct error *err)
{
	_cleanup_free_ char *mount = NULL, *text = NULL, *path = NULL;
	int r = cgroup_mount_point(&mount, err);
	if (r < 0)
		return r;
	r = read_file_full("/proc/self/cgroup", PROC_FILE_MAX, &text, NULL);
	if (r < 0)
		return error_set_errno(err, r, "read /proc/self/cgroup");
	r = host_proc_cgroup_v2_path(text, &path);
	if (r < 0)
		return error_set_errno(err, r, "no cgroup v2 line in /proc/self/cgroup");
	if (asprintf(ret_dir, "%s%s", mount, strcmp(path, "/") ? path : "") < 0)
		return error_set(err, ENOMEM, "cgroup path");
	if (ret_path)
		*ret_path = TAKE_PTR(path);
	return 0;
}

int host_probe_clone_into_cgroup(struct error *err)
{
	_cleanup_free_ char *dir = NULL;
	int r = own_cgroup_dir(&dir, NULL, err);
	if (r < 0)
		return r;
	_cleanup_close_ int cgroup_fd = open(dir, O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (cgroup_fd < 0)
		return error_set_errno(err, errno, "open %s", dir);
	struct clone_args args = {
		.flags = CLONE_INTO_CGROUP,
		.exit_signal = SIGCHLD,
		.cgroup = (uint64_t)cgroup_fd,
	};
	long pid = syscall(SYS_clone3, &args, sizeof(args));
	if (pid == 0)
		syscall(SYS_exit_group, 0); /* the child: nothing of this process may run in it */
	if (pid < 0)
		return error_set_errno(err, errno, "clone3(CLONE_INTO_CGROUP) into %s", dir);
	int status;
	while (waitpid((pid_t)pid, &status, 0) < 0)
		if (errno != EINTR)
			return error_set_errno(err, errno, "wait for the clone3 child");
	return 0;
}

int host_probe_overlayfs(struct error *err)
{
	_cleanup_free_ char *text = NULL;
	int r = read_file_full("/proc/filesystems", PROC_FILE_MAX, &text, NULL);
	if (r < 0)
		return error_set_errno(err, r, "read /proc/filesystems");
	if (!host_filesystems_list_has(text, "overlay"))
		return error_set(err, ENODEV, "the kernel lists no overlay file system "
				 "(/proc/filesystems)");
	return 0;
}

int host_probe_seccomp_filter(struct error *err)
{
	uint32_t action = SECCOMP_RET_ERRNO;
	if (syscall(SYS_seccomp, SECCOMP_GET_ACTION_AVAIL, 0, &action) < 0)
		return error_set_errno(err, errno, "seccomp(SECCOMP_GET_ACTION_AVAIL, "
				       "SECCOMP_RET_ERRNO)");
	return 0;
}

int host_probe_user_namespaces(struct error *err)
{
	pid_t pid = fork();
	if (pid < 0)
		return error_set_errno(err, errno, "fork");
	if (pid == 0)
		_exit(unshare(CLONE_NEWUSER) < 0 ? errno : 0);
	int status;
	while (waitpid(pid, &status, 0) < 0)
		if (errno != EINTR)
			return error_set_errno(err, errno, "wait for the user namespace child");
	if (!WIFEXITED(status))
		return error_set(err, EINTR, "the user namespace child was killed");
	if (WEXITSTATUS(status))
		return error_set_errno(err, WEXITSTATUS(status), "unshare(CLONE_NEWUSER)");
	return 0;
}

bool host_probe_systemd_booted(void)
{
	struct stat st;
	return lstat("/run/systemd/system", &st) == 0 && S_ISDIR(st.st_mode);
}

int host_probe_delegated_cgroup(char **ret_path, bool *ret_delegated, struct error *err)
{
	_cleanup_free_ char *dir = NULL, *path = NULL;
	int r = own_cgroup_dir(&dir, &path, err);
	if (r < 0)
		return r;
	char mark[8];
	bool delegated = getxattr(dir, "trusted.delegate", mark, sizeof(mark)) > 0 ||
			 getxattr(dir, "user.delegate", mark, sizeof(mark)) > 0;
	*ret_path = TAKE_PTR(path);
	*ret_delegated = delegated;
	return 0;
}
