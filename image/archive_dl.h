/* libarchive, opened at first use (common/dlopen_lib.h): only unpacking a layer needs it, so
 * a daemon or `tether task run` whose images are already in the store never maps libarchive
 * and its compression, XML and ICU libraries. Call archive_dl_open() before any
 * sym_archive_* pointer. */
#pragma once

#include <archive.h>
#include <archive_entry.h>

#include "common/dlopen_lib.h"
#include "common/error.h"

#define ARCHIVE_DL_SYMBOLS(X) X(archive_set_error) X(archive_error_string) X(archive_read_new) \
	X(archive_read_support_format_tar) X(archive_read_support_filter_gzip) \
	X(archive_read_support_filter_zstd) X(archive_read_open) X(archive_read_next_header) \
	X(archive_read_data_block) X(archive_read_free) X(archive_write_disk_new) \
	X(archive_write_disk_set_options) X(archive_write_header) X(archive_write_data_block) \
	X(archive_write_finish_entry) X(archive_write_close) X(archive_write_free) \
	X(archive_entry_pathname) X(archive_entry_set_pathname) X(archive_entry_filetype) X(archive_entry_hardlink) \
	X(archive_entry_set_hardlink) X(archive_entry_size) X(archive_entry_clone) \
	X(archive_entry_free) X(archive_entry_xattr_reset) X(archive_entry_xattr_next) \
	X(archive_entry_xattr_clear) X(archive_entry_xattr_add_entry)
ARCHIVE_DL_SYMBOLS(DL_DECLARE)

int archive_dl_open(struct error *err);
