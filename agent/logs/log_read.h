/* Reading a container's logs back for `tether logs`: the text as the container wrote it,
 * stdout lines to stdout and stderr lines to stderr. One reader per log driver, in the table
 * of agent/logs/log_readers.c. */
#pragma once

#include <stdbool.h>
#include <stdint.h>

#include "common/error.h"
#include "container/container_log.h"

struct log_read_options {
	const char *folder;   /* the container's state folder */
	bool follow;          /* go on until the container has ended and its output is read */
	uint64_t tail;        /* only the last N lines first; UINT64_MAX: all */
	const struct container_log *log; /* the container's log configuration */
};

struct log_reader {
	const struct log_driver *driver;
	int (*read)(const struct log_read_options *o, struct error *err);
};

/* The reader of D's logs; NULL when it has none. */
const struct log_reader *log_reader_for(const struct log_driver *d);

/* json-file: across the rotated files, oldest first; following goes across rotations. */
int log_read_json_file(const struct log_read_options *o, struct error *err);

/* journald: the entries matching the container's task ARN and name. */
int log_read_journal(const struct log_read_options *o, struct error *err);

/* Print one line of the container's output to stdout or stderr (a partial line as it is). */
void log_read_print(bool is_stderr, const char *text, size_t len, bool newline);

/* True once the monitor recorded the container's exit (its output is then all written). */
bool log_read_container_ended(const char *folder);
