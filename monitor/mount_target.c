#include "monitor/mount_target.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/openat2.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "common/cleanup.h"

static int open_in_root(int root_fd, const char *path, int flags)
{
	struct open_how how = {
		.flags = (unsigned long long)(flags | O_CLOEXEC),
		.resolve = RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS,
	};
	int fd = (int)syscall(SYS_openat2, root_fd, path, &how, sizeof(how));
	return fd < 0 ? -errno : fd;
}

int mount_target_open_existing(int root_fd, const char *path)
{
	return open_in_root(root_fd, path, O_PATH);
}

/* Create NAME in the folder PARENT_FD (already resolved inside the root). mkdirat and
 * O_CREAT|O_EXCL never follow a symlink in the last component: a dangling symlink there
 * gives EEXIST, and resolving it again inside the root then fails. */
static int create_in(int parent_fd, const char *name, bool directory)
{
	if (directory)
		return mkdirat(parent_fd, name, 0755) < 0 && errno != EEXIST ? -errno : 0;
	int fd = openat(parent_fd, name, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0644);
	if (fd < 0)
		return errno == EEXIST ? 0 : -errno;
	close(fd);
	return 0;
}

int mount_target_open(int root_fd, const char *dest, bool directory, const char **ret_failed)
{
	static char prefix[4096];
	*ret_failed = dest;
	if (dest[0] != '/' || strlen(dest) >= sizeof(prefix))
		return -EINVAL;
	_cleanup_close_ int parent = open_in_root(root_fd, "/", O_PATH | O_DIRECTORY);
	if (parent < 0)
		return parent;
	for (const char *p = dest; *p;) {
		while (*p == '/')
			p++;
		size_t len = strcspn(p, "/");
		if (len == 0)
			break;
		const char *next = p + len;
		while (*next == '/')
			next++;
		bool last = *next == '\0';
		bool want_dir = !last || directory;
		snprintf(prefix, sizeof(prefix), "%.*s", (int)(p + len - dest), dest);
		*ret_failed = prefix;
		int flags = O_PATH | (want_dir ? O_DIRECTORY : 0);
		int fd = open_in_root(root_fd, prefix, flags);
		if (fd == -ENOENT) {
			char name[256];
			if (len >= sizeof(name))
				return -ENAMETOOLONG;
			snprintf(name, sizeof(name), "%.*s", (int)len, p);
			int r = create_in(parent, name, want_dir);
			if (r < 0)
				return r;
			fd = open_in_root(root_fd, prefix, flags);
		}
		if (fd < 0)
			return fd;
		close(parent);
		parent = fd;
		p = next;
	}
	*ret_failed = NULL;
	return TAKE_FD(parent);
}
