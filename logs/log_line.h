/* Cutting a stream of output into lines. A line longer than LOG_LINE_MAX is cut into pieces
 * of that size, as Docker cuts at 16 KiB, so one endless line never grows the monitor. */
#pragma once

#include <stdbool.h>
#include <stddef.h>

#define LOG_LINE_MAX (16 * 1024)

struct log_line_buffer {
	char data[LOG_LINE_MAX];
	size_t len;
};

/* Called for each line (without its newline); partial when no newline ended it. */
typedef void (*log_line_fn)(void *userdata, const char *line, size_t len, bool partial);

/* The caller appends bytes at data + len (at most LOG_LINE_MAX - len). Emits every complete
 * line, then the rest as a partial line when the buffer is full or eof is set, and keeps
 * only an unfinished line. */
void log_line_consume(struct log_line_buffer *b, bool eof, log_line_fn fn, void *userdata);
