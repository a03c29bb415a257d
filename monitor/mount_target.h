/* Finding where a mount lands inside the container, safely. A destination is resolved with
 * openat2(RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS) from the container's root: ".." stops at
 * the root, absolute and relative symlinks of the image resolve inside it, and /proc's magic
 * links are refused, so no image can make a mount land outside its root. Missing components
 * are created the same way, one at a time, each from a parent already resolved inside. */
#pragma once

#include <stdbool.h>

/* An O_PATH descriptor of DEST (absolute) inside ROOT_FD, creating missing folders and, when
 * !directory, an empty file as the last component. Returns the fd or -errno; *ret_failed is
 * the component that failed (a pointer into a static buffer). */
int mount_target_open(int root_fd, const char *dest, bool directory, const char **ret_failed);

/* An O_PATH descriptor of an existing PATH inside ROOT_FD, or -errno. */
int mount_target_open_existing(int root_fd, const char *path);
