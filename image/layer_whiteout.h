/* OCI whiteout entries turned into what overlayfs understands, created strictly beneath a
 * layer folder (never through a symlink). */
#pragma once

#include <stdbool.h>

#include "common/error.h"

#define WHITEOUT_PREFIX ".wh."
#define WHITEOUT_OPAQUE ".wh..wh..opq"

/* True when the last component of a layer-relative path is a whiteout entry. */
bool whiteout_is_entry(const char *relpath);

/* Apply the whiteout entry relpath (normalized: no "." or ".." parts, no leading '/') inside
 * the folder open as root_fd. */
int whiteout_apply(int root_fd, const char *relpath, struct error *err);

/* Open the folder relpath beneath root_fd, creating missing components (mode 0755) and
 * refusing any component that is a symlink or not a folder. Returns the fd or -errno. */
int open_dir_beneath(int root_fd, const char *relpath, bool create);
