/* Whether a state directory can hold what tasks put there: each container's root file system
 * is an overlay whose upper and work dirs live in the state directory, and overlayfs refuses
 * an upper dir that is itself on overlayfs (a container host's root often is). */
#pragma once

#include <stdbool.h>

#include "common/error.h"

/* False for the file systems (by statfs f_type) that cannot hold an overlay upper dir. */
bool state_dir_fs_holds_overlay_upper(long fs_type);

#define STATE_DIR_FS_FIX \
	"give --state-dir a folder on a tmpfs or on a real file system (ext4, xfs, btrfs)"

/* Checks the file system of DIR, or of its nearest existing parent when DIR is not made yet:
 * 0, or -EINVAL with a message naming DIR and the reason (STATE_DIR_FS_FIX says the fix).
 * Cheap: one statfs. */
int state_dir_check_filesystem(const char *dir, struct error *err);
/* The same with the consequence and the fix in the message: what the daemon and `tether task
 * run` say when they refuse to start. */
int state_dir_refuse_unusable(const char *dir, struct error *err);

/* 0 when DIR can be written (or does not exist yet: it is made later); otherwise -EROFS or
 * -EACCES with a message naming DIR, what tether keeps there and the fix. */
int state_dir_refuse_read_only(const char *dir, struct error *err);

/* Mounts a tiny overlay whose upper dir is in a scratch folder under DIR, in a private mount
 * namespace of a child process, and removes it all again: 0 when the mount works. Needs root
 * and an existing DIR. */
int state_dir_try_overlay(const char *dir, struct error *err);
