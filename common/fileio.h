/* Small whole-file helpers. All descriptors are opened O_CLOEXEC. */
#pragma once

#include <stddef.h>
#include <sys/types.h>

/* Read a whole file, refusing files larger than max_size (-EFBIG). The buffer is
 * NUL-terminated (not counted in *ret_size) and owned by the caller. */
int read_file_full(const char *path, size_t max_size, char **ret_data, size_t *ret_size);

/* Same, relative to a directory descriptor. */
int read_file_full_at(int dirfd, const char *path, size_t max_size, char **ret_data,
		      size_t *ret_size);

/* Write a file atomically (temporary file in the same directory, fsync, rename) with mode. */
int write_file_atomic(const char *path, const void *data, size_t size, mode_t mode);

/* The same without the fsync: for files that mean nothing after a reboot (pids, files made
 * again at every start), which a crash may leave empty but never half-replaced. */
int write_file_replace(const char *path, const void *data, size_t size, mode_t mode);

/* mkdir -p with mode for every component created; existing directories are accepted. */
int mkdir_parents(const char *path, mode_t mode);

/* rm -rf below and including path, without following symlinks. Missing path is not an error. */
int remove_tree(const char *path);

/* Open PATH with FLAGS (O_CLOEXEC added; MODE when O_CREAT) and wait for a flock of
 * OPERATION (LOCK_EX or LOCK_SH) on it: the fd, or -errno. */
int open_locked(const char *path, int flags, mode_t mode, int operation);
