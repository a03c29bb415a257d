/* An error travels up as a negative errno value plus a message that gathers context on the
 * way ("register: POST https://hub/v1/register: connection refused"). Library code fills the
 * message and returns; only the program decides whether and where to log it. */
#pragma once

#include <stddef.h>

struct error {
	int code;           /* positive errno, 0 when no error was recorded */
	char message[1024];
};

/* Record an error and return -code (code may be given as positive or negative errno).
 * err may be NULL: the caller then only gets the return value. */
int error_set(struct error *err, int code, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* As error_set, with ": strerror(code)" appended. */
int error_set_errno(struct error *err, int code, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* Put context in front of an error already recorded: "context: previous message".
 * Returns -err->code (or -EIO when nothing was recorded). */
int error_wrap(struct error *err, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

void error_clear(struct error *err);
