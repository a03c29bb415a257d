/* The json-file log driver's writer: Docker's format, one JSON object per line,
 *   {"log":"hello\n","stream":"stdout","time":"2026-11-27T03:29:58.123456789Z"}
 * (a partial line has no "\n" in "log"), rotated by size: when the next entry would take the
 * current file over max_size it becomes FILE.1, FILE.1 becomes FILE.2 and so on; the oldest
 * beyond max_file files is replaced. With max_file 1 the file is emptied instead. A failed
 * write (a full disk) drops the entry and counts it: the container never waits for the disk. */
#pragma once

#include <stdint.h>

#include "common/error.h"
#include "logs/log_entry.h"

/* The longest encoded entry: every byte of a LOG_LINE_MAX line escaped as \u00XX. */
#define LOG_JSON_ENTRY_MAX (6 * 16 * 1024 + 128)

/* The driver's file in the container's folder: container.log, then container.log.1 (the
 * newest rotated) up to container.log.<max_file - 1>. */
#define LOG_JSON_FILE_NAME "container.log"

struct log_json_file {
	char *path;
	int fd;
	char *buf;           /* LOG_JSON_ENTRY_MAX bytes for the entry being written */
	uint64_t size;
	uint64_t max_size;
	uint32_t max_file;
	uint64_t dropped;    /* entries lost to failed writes */
	int first_error;     /* errno of the first failed write or rotation, 0 if none */
};

/* Open (or append to) PATH. */
int log_json_file_open(struct log_json_file *f, const char *path, uint64_t max_size,
		       uint32_t max_file, struct error *err);

/* Write one entry, rotating first when needed. Returns 0, or -errno when it was dropped. */
int log_json_file_write(struct log_json_file *f, const struct log_entry *e);

void log_json_file_close(struct log_json_file *f);

/* Encode one entry with its newline into out (LOG_JSON_ENTRY_MAX bytes); returns its length.
 * Invalid UTF-8 becomes U+FFFD, as Docker writes it. */
size_t log_json_encode(const struct log_entry *e, char *out);

/* The name of rotated file N (1 = newest) of PATH, into buf. */
void log_json_file_rotated_name(char *buf, size_t size, const char *path, unsigned n);
