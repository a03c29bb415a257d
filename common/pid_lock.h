/* A lock file that says who holds it: flock(LOCK_EX) on PATH, with the holder's pid written
 * into the file, so that a second copy of a program started by mistake can name the first
 * instead of only saying "busy". The kernel drops the lock when the holder's descriptor is
 * closed or the holder dies, whatever the file still says. */
#pragma once

#include <sys/types.h>

#include "common/error.h"

/* Create (0600) and lock PATH, write our pid into it; *ret_fd keeps the lock (close-on-exec).
 * -EBUSY when another process holds it: *ret_holder is its pid as written in the file, or 0
 * when it has not written one (yet). */
int pid_lock_take(const char *path, int *ret_fd, pid_t *ret_holder, struct error *err);
