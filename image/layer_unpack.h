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

/* Read the layer from fd to its end into dest_dir, an existing empty folder given as an
 * absolute path without symlinks. Every byte read from fd (including any after the end of
 * the archive) goes through hash when it is not NULL, and *ret_size (may be NULL) gets the
 * number of bytes read, so the caller can check the blob's digest and size. When unpacking
 * fails but reading does not, fd is still read to its end and *ret_size set: the caller can
 * then report a corrupted blob as a digest mismatch rather than as a bad archive. */
int layer_unpack_fd(int fd, const char *dest_dir, struct sha256_stream *hash,
		    uint64_t *ret_size, struct error *err);
