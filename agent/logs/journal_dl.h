/* libsystemd's journal reader, opened at first use (common/dlopen_lib.h): only `tether logs`
 * of the journald driver reads the journal, so the daemon and `tether task run` never map
 * libsystemd and the libraries it brings (gcrypt, lz4, zstd, lzma). Call journal_dl_open()
 * before any sym_sd_journal_* pointer. */
#pragma once

#include <systemd/sd-journal.h>

#include "common/dlopen_lib.h"
#include "common/error.h"

#define JOURNAL_DL_SYMBOLS(X) X(sd_journal_open) X(sd_journal_close) X(sd_journal_add_match) \
	X(sd_journal_seek_head) X(sd_journal_seek_tail) X(sd_journal_next) X(sd_journal_previous) \
	X(sd_journal_previous_skip) X(sd_journal_get_data) X(sd_journal_wait)
JOURNAL_DL_SYMBOLS(DL_DECLARE)

int journal_dl_open(struct error *err);
