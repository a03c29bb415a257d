#include <stdarg.h>
#include <stdio.h>
#include <unistd.h>

#include "monitor/setup_die.h"

static int setup_error_fd = -1;

void setup_die_to(int error_fd)
{
	setup_error_fd = error_fd;
}

_Noreturn void setup_die(const char *fmt, ...)
{
	char msg[1024];
	va_list ap;
	va_start(ap, fmt);
	int n = vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (n < 0)
		n = 0;
	if ((size_t)n >= sizeof(msg))
		n = sizeof(msg) - 1;
	if (setup_error_fd >= 0 && write(setup_error_fd, msg, (size_t)n) < 0)
		_exit(126);
	_exit(127);
}
