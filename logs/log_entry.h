/* One line of a container's output, as tether-monitor hands it to a log driver. */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <time.h>

enum log_stream { LOG_STDOUT, LOG_STDERR };

struct log_entry {
	const char *line;       /* without its newline; may hold any bytes */
	size_t len;
	bool partial;           /* no newline ended it: cut at LOG_LINE_MAX, or the stream ended */
	enum log_stream stream;
	struct timespec time;   /* CLOCK_REALTIME when the monitor read it */
};

/* "stdout" or "stderr". */
const char *log_stream_name(enum log_stream s);
