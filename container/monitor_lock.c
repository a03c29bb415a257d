/* The monitor's liveness lock. flock rather than a pid: the kernel drops the lock when the
 * last descriptor of the monitor's open file goes away, whatever the pid becomes later. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common/cleanup.h"
#include "common/fileio.h"
#include "container/monitor_lock.h"
#include "container/state_folder.h"

static char *lock_path(const char *folder)
{
	char *path = NULL;
	return asprintf(&path, "%s/%s", folder, CONTAINER_MONITOR_LOCK) < 0 ? NULL : path;
}

int monitor_lock_take(const char *folder, int *ret_fd, struct error *err)
{
	_cleanup_free_ char *path = lock_path(folder);
	if (!path)
		return error_set(err, ENOMEM, "monitor lock");
	_cleanup_close_ int fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);
	if (fd < 0)
		return error_set_errno(err, errno, "open %s", path);
	if (flock(fd, LOCK_EX | LOCK_NB) < 0) {
		if (errno == EWOULDBLOCK)
			return error_set(err, EBUSY, "a monitor still runs in %s", folder);
		return error_set_errno(err, errno, "lock %s", path);
	}
	/* Below 3 it would collide with the monitor's standard descriptors. */
	if (fd < MONITOR_LOCK_FD) {
		int high = fcntl(fd, F_DUPFD_CLOEXEC, MONITOR_LOCK_FD);
		if (high < 0)
			return error_set_errno(err, errno, "lock %s", path);
		close(fd);
		fd = high;
	}
	*ret_fd = TAKE_FD(fd);
	return 0;
}

int monitor_lock_probe(const char *folder)
{
	_cleanup_free_ char *path = lock_path(folder);
	if (!path)
		return -ENOMEM;
	_cleanup_close_ int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
	if (fd < 0)
		return -errno;
	/* A shared lock conflicts with the monitor's exclusive one and with nothing else; it is
	 * dropped again when fd closes. */
	if (flock(fd, LOCK_SH | LOCK_NB) == 0)
		return 0;
	return errno == EWOULDBLOCK ? 1 : -errno;
}

bool monitor_lock_is_fd(const char *folder, int fd)
{
	_cleanup_free_ char *path = lock_path(folder);
	struct stat a, b;
	return path && fstat(fd, &a) == 0 && stat(path, &b) == 0 && a.st_dev == b.st_dev &&
	       a.st_ino == b.st_ino;
}

int monitor_lock_keep(const char *folder, int *ret_fd, struct error *err)
{
	int fd = -1, r;
	if (monitor_lock_is_fd(folder, MONITOR_LOCK_FD)) {
		fd = MONITOR_LOCK_FD;
		/* Already ours when the agent locked it; fails only if someone else holds it. */
		if (fcntl(fd, F_SETFD, FD_CLOEXEC) < 0 || flock(fd, LOCK_EX | LOCK_NB) < 0) {
			r = errno == EWOULDBLOCK ? -EBUSY : -errno;
			close(fd);
			return error_set(err, -r, "lock of %s: %s", folder,
					 r == -EBUSY ? "held by another monitor" : strerror(-r));
		}
	} else if ((r = monitor_lock_take(folder, &fd, err)) < 0) {
		return r;
	}
	_cleanup_free_ char *pid_path = NULL;
	char text[32];
	int n = snprintf(text, sizeof(text), "%d\n", (int)getpid());
	if (asprintf(&pid_path, "%s/%s", folder, CONTAINER_MONITOR_PID_FILE) < 0) {
		close(fd);
		return error_set(err, ENOMEM, "monitor pid");
	}
	/* Not fsynced: a pid means nothing after the reboot that could lose it. */
	r = write_file_replace(pid_path, text, (size_t)n, 0644);
	if (r < 0) {
		close(fd);
		return error_set_errno(err, -r, "write %s", pid_path);
	}
	*ret_fd = fd;
	return 0;
}
