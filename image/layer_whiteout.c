#include "image/layer_whiteout.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/xattr.h>
#include <unistd.h>

#include "common/cleanup.h"

static const char *last_component(const char *relpath)
{
	const char *slash = strrchr(relpath, '/');
	return slash ? slash + 1 : relpath;
}

bool whiteout_is_entry(const char *relpath)
{
	return strncmp(last_component(relpath), WHITEOUT_PREFIX, strlen(WHITEOUT_PREFIX)) == 0;
}

int open_dir_beneath(int root_fd, const char *relpath, bool create)
{
	char buf[PATH_MAX];
	if (strlen(relpath) >= sizeof(buf))
		return -ENAMETOOLONG;
	strcpy(buf, relpath);
	_cleanup_close_ int fd = openat(root_fd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	char *save = NULL;
	for (char *part = strtok_r(buf, "/", &save); part; part = strtok_r(NULL, "/", &save)) {
		if (!strcmp(part, ".") || !strcmp(part, ".."))
			return -EINVAL;
		if (create && mkdirat(fd, part, 0755) < 0 && errno != EEXIST)
			return -errno;
		/* O_NOFOLLOW: a symlink planted by an earlier entry must not lead us outside. */
		int next = openat(fd, part, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
		if (next < 0)
			return errno == ELOOP ? -ENOTDIR : -errno;
		close(fd);
		fd = next;
	}
	return TAKE_FD(fd);
}

int whiteout_apply(int root_fd, const char *relpath, struct error *err)
{
	const char *name = last_component(relpath);
	char parent[PATH_MAX];
	size_t parent_len = (size_t)(name - relpath);
	if (parent_len >= sizeof(parent))
		return error_set(err, ENAMETOOLONG, "whiteout %s: name too long", relpath);
	memcpy(parent, relpath, parent_len);
	parent[parent_len] = '\0';

	_cleanup_close_ int dir_fd = open_dir_beneath(root_fd, parent, true);
	if (dir_fd < 0)
		return error_set_errno(err, dir_fd, "whiteout %s: folder", relpath);
	if (!strcmp(name, WHITEOUT_OPAQUE)) {
		if (fsetxattr(dir_fd, "trusted.overlay.opaque", "y", 1, 0) < 0)
			return error_set_errno(err, errno, "opaque whiteout %s", relpath);
		return 0;
	}
	const char *hidden = name + strlen(WHITEOUT_PREFIX);
	/* Other ".wh..wh." names are AUFS bookkeeping with no overlayfs meaning. */
	if (!strncmp(name, ".wh..wh.", 8))
		return 0;
	if (!hidden[0] || !strcmp(hidden, ".") || !strcmp(hidden, ".."))
		return error_set(err, EINVAL, "whiteout %s: names nothing", relpath);
	if (mknodat(dir_fd, hidden, S_IFCHR | 0, makedev(0, 0)) < 0)
		return error_set_errno(err, errno, "whiteout %s", relpath);
	return 0;
}
