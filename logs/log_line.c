#include "logs/log_line.h"

#include <string.h>

#include "logs/log_entry.h"

const char *log_stream_name(enum log_stream s)
{
	return s == LOG_STDERR ? "stderr" : "stdout";
}

void log_line_consume(struct log_line_buffer *b, bool eof, log_line_fn fn, void *userdata)
{
	size_t start = 0;
	for (;;) {
		char *nl = memchr(b->data + start, '\n', b->len - start);
		if (!nl)
			break;
		size_t end = (size_t)(nl - b->data);
		fn(userdata, b->data + start, end - start, false);
		start = end + 1;
	}
	size_t rest = b->len - start;
	if (rest > 0 && (eof || (start == 0 && b->len == LOG_LINE_MAX))) {
		fn(userdata, b->data + start, rest, true);
		start = b->len;
		rest = 0;
	}
	if (start > 0 && rest > 0)
		memmove(b->data, b->data + start, rest);
	b->len = rest;
}
