#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <sys/file.h>
#include <unistd.h>

#include "common/cleanup.h"
#include "common/parse.h"
#include "common/pid_lock.h"

static pid_t holder_of(int fd)
{
	char buf[32];
	ssize_t n = pread(fd, buf, sizeof(buf) - 1, 0);
	if (n <= 0)
		return 0;
	buf[n] = '\0';
	if (n > 0 && buf[n - 1] == '\n')
		buf[n - 1] = '\0';
	uint64_t pid;
	return parse_u64(buf, 1, INT32_MAX, &pid) < 0 ? 0 : (pid_t)pid;
}

int pid_lock_take(const char *path, int *ret_fd, pid_t *ret_holder, struct error *err)
{
	*ret_holder = 0;
	_cleanup_close_ int fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);
	if (fd < 0)
		return error_set_errno(err, errno, "open %s", path);
	if (flock(fd, LOCK_EX | LOCK_NB) < 0) {
		if (errno != EWOULDBLOCK)
			return error_set_errno(err, errno, "lock %s", path);
		*ret_holder = holder_of(fd);
		return error_set(err, EBUSY, "%s is held by process %ld", path, (long)*ret_holder);
	}
	char pid[32];
	int n = snprintf(pid, sizeof(pid), "%ld\n", (long)getpid());
	if (ftruncate(fd, 0) < 0 || pwrite(fd, pid, (size_t)n, 0) != n)
		return error_set_errno(err, errno, "write %s", path);
	*ret_fd = TAKE_FD(fd);
	return 0;
}
