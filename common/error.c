#include "common/error.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

static int errno_magnitude(int code)
{
	if (code < 0)
		code = -code;
	return code ? code : EIO;
}

int error_set(struct error *err, int code, const char *fmt, ...)
{
	code = errno_magnitude(code);
	if (err) {
		va_list ap;
		va_start(ap, fmt);
		vsnprintf(err->message, sizeof(err->message), fmt, ap);
		va_end(ap);
		err->code = code;
	}
	return -code;
}

int error_set_errno(struct error *err, int code, const char *fmt, ...)
{
	code = errno_magnitude(code);
	if (err) {
		va_list ap;
		va_start(ap, fmt);
		vsnprintf(err->message, sizeof(err->message), fmt, ap);
		va_end(ap);
		size_t len = strlen(err->message);
		snprintf(err->message + len, sizeof(err->message) - len, ": %s", strerror(code));
		err->code = code;
	}
	return -code;
}

int error_wrap(struct error *err, const char *fmt, ...)
{
	if (!err)
		return -EIO;
	if (!err->code)
		err->code = EIO;
	char context[sizeof(err->message)];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(context, sizeof(context), fmt, ap);
	va_end(ap);
	/* Shift the previous message right and put "context: " in front, truncating the tail. */
	size_t cap = sizeof(err->message) - 1;
	size_t head = strnlen(context, cap);
	size_t sep = head + 2 <= cap ? 2 : cap - head;
	size_t prev = strnlen(err->message, cap);
	if (head + sep + prev > cap)
		prev = cap - head - sep;
	memmove(err->message + head + sep, err->message, prev);
	memcpy(err->message, context, head);
	memcpy(err->message + head, ": ", sep);
	err->message[head + sep + prev] = '\0';
	return -err->code;
}

void error_clear(struct error *err)
{
	if (err) {
		err->code = 0;
		err->message[0] = '\0';
	}
}
