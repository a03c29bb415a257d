/* Unpack one layer (tar, tar+gzip or tar+zstd) into a folder, safely: no entry may land
 * outside it. Absolute names, ".." components, writes through a symlink made by an earlier
 * entry and hard links to anything outside the folder are refused. Owners, modes, times and
 * xattrs are kept (except trusted.overlay.*, which only we set); device nodes are allowed.
 * OCI whiteouts become overlayfs whiteouts: ".wh.NAME" a 0:0 character device NAME,
 * ".wh..wh..opq" the xattr trusted.overlay.opaque="y" on its folder. */
#pragma once

#include <stdint.h>

#include "common/error.h"
#include "image/digest.h"

/* What one layer may put on disk. A layer is a compressed archive: a few megabytes of gzip can
 * stand for terabytes of zeros, or for millions of empty files, enough to fill a node's disk
 * or its inodes. Unpacking stops with -EFBIG at the first entry past a limit, and with
 * -ENOSPC when the file system would have less than min_free_percent of its space (at most
 * 1 GiB) or inodes left; the caller removes what was unpacked. */
struct layer_limits {
	uint64_t max_bytes;        /* file data, summed over the entries */
	uint64_t max_entries;      /* files, folders, links, device nodes */
	unsigned min_free_percent; /* of the file system's blocks and inodes */
};

#define LAYER_MAX_BYTES_DEFAULT (32ULL << 30)
#define LAYER_MAX_ENTRIES_DEFAULT 1000000
#define LAYER_MIN_FREE_PERCENT_DEFAULT 5

/* The limits layers get unless a caller says otherwise. */
extern const struct layer_limits layer_limits_default;

/* Read the layer from fd to its end into dest_dir, an existing empty folder given as an
 * absolute path without symlinks. Every byte read from fd (including any after the end of
 * the archive) goes through hash when it is not NULL, and *ret_size (may be NULL) gets the
 * number of bytes read, so the caller can check the blob's digest and size. When unpacking
 * fails but reading does not, fd is still read to its end and *ret_size set: the caller can
 * then report a corrupted blob as a digest mismatch rather than as a bad archive. */
int layer_unpack_fd(int fd, const char *dest_dir, const struct layer_limits *limits,
		    struct sha256_stream *hash, uint64_t *ret_size, struct error *err);
