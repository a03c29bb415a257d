/* The state directory's file system, by its magic number and by a real overlay mount. */
#include <errno.h>
#include <limits.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/vfs.h>
#include <sys/wait.h>
#include <unistd.h>

#include <linux/magic.h>

#include "agent/host/state_dir_fs.h"
#include "common/cleanup.h"
#include "common/fileio.h"


bool state_dir_fs_holds_overlay_upper(long fs_type)
{
	return fs_type != OVERLAYFS_SUPER_MAGIC;
}

/* statfs of DIR or, while it does not exist, of the nearest parent that does: the daemon and
 * the task manager make the state directory later, on the parent's file system. */
static int statfs_nearest(const char *dir, struct statfs *ret, char *ret_path, size_t size)
{
	if (snprintf(ret_path, size, "%s", dir) >= (int)size)
		return -ENAMETOOLONG;
	for (;;) {
		if (statfs(ret_path, ret) == 0)
			return 0;
		if (errno != ENOENT)
			return -errno;
		char *slash = strrchr(ret_path, '/');
		if (!slash)
			snprintf(ret_path, size, ".");
		else if (slash == ret_path)
			ret_path[1] = '\0';
		else
			*slash = '\0';
	}
}

int state_dir_check_filesystem(const char *dir, struct error *err)
{
	struct statfs st;
	char path[PATH_MAX];
	int r = statfs_nearest(dir, &st, path, sizeof(path));
	if (r < 0)
		return error_set_errno(err, r, "state dir %s", dir);
	if (state_dir_fs_holds_overlay_upper((long)st.f_type))
		return 0;
	bool made = !strcmp(path, dir);
	return error_set(err, EINVAL,
			 "the state dir %s is on overlayfs%s%s%s, and an overlay upper dir cannot "
			 "live on overlayfs", dir, made ? "" : " (as ", made ? "" : path,
			 made ? "" : ", where it would be made, is)");
}

int state_dir_refuse_unusable(const char *dir, struct error *err)
{
	struct error reason = { 0 };
	int r = state_dir_check_filesystem(dir, &reason);
	if (r < 0)
		return error_set(err, r, "%s: every container's root file system would fail to "
				 "mount; %s", reason.message, STATE_DIR_FS_FIX);
	return 0;
}

int state_dir_refuse_read_only(const char *dir, struct error *err)
{
	if (access(dir, W_OK) == 0 || errno == ENOENT)
		return 0;
	int e = errno;
	return error_set(err, e, "the state dir %s cannot be written (%s): tether keeps its lock, "
			 "its state database and the containers' folders there; %s", dir,
			 strerror(e),
			 e == EROFS ? "remount its file system read-write (mount -o remount,rw), or "
				      "give --state-dir a folder on a writable one"
				    : "give the user tether runs as write access to it, or give "
				      "--state-dir a writable folder");
}

/* In the child: the mount happens in a mount namespace of its own, so that nothing of it can
 * reach the host's mount table, even if the child is killed half-way. */
static int mount_in_private_namespace(const char *scratch)
{
	char opts[3 * PATH_MAX + 64], merged[PATH_MAX + 16];
	snprintf(opts, sizeof(opts), "lowerdir=%s/lower,upperdir=%s/upper,workdir=%s/work",
		 scratch, scratch, scratch);
	snprintf(merged, sizeof(merged), "%s/merged", scratch);
	if (unshare(CLONE_NEWNS) < 0 || mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) < 0)
		return errno;
	if (mount("overlay", merged, "overlay", 0, opts) < 0)
		return errno;
	return umount2(merged, MNT_DETACH) < 0 ? errno : 0;
}

static int try_mount(const char *scratch)
{
	pid_t pid = fork();
	if (pid < 0)
		return -errno;
	if (pid == 0)
		_exit(mount_in_private_namespace(scratch));
	int status;
	while (waitpid(pid, &status, 0) < 0)
		if (errno != EINTR)
			return -errno;
	if (!WIFEXITED(status))
		return -EINTR;
	return -WEXITSTATUS(status);
}

int state_dir_try_overlay(const char *dir, struct error *err)
{
	char scratch[PATH_MAX];
	if (snprintf(scratch, sizeof(scratch), "%s/.overlay-check.XXXXXX", dir) >=
	    (int)sizeof(scratch))
		return error_set(err, ENAMETOOLONG, "state dir %s", dir);
	if (!mkdtemp(scratch))
		return error_set_errno(err, errno, "create a scratch folder in %s", dir);
	int r = 0;
	static const char *const parts[] = { "lower", "upper", "work", "merged" };
	for (size_t i = 0; r == 0 && i < ELEMENTSOF(parts); i++) {
		char sub[PATH_MAX + 16];
		snprintf(sub, sizeof(sub), "%s/%s", scratch, parts[i]);
		if (mkdir(sub, 0700) < 0)
			r = -errno;
	}
	if (r == 0)
		r = try_mount(scratch);
	int removed = remove_tree(scratch);
	if (r < 0)
		return error_set(err, r, "an overlay with its upper dir in %s does not mount (%s): %s",
				 dir, strerror(-r), STATE_DIR_FS_FIX);
	if (removed < 0)
		return error_set_errno(err, removed, "remove the scratch folder %s", scratch);
	return 0;
}
