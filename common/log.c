#include "common/log.h"

#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <unistd.h>

static const char *program = "tether";
static int max_level = LOG_INFO;

void log_set_program(const char *name)
{
	program = name;
}

void log_set_max_level(int level)
{
	max_level = level;
}

static const char *level_word(int level)
{
	switch (level) {
	case LOG_EMERG:
	case LOG_ALERT:
	case LOG_CRIT:
	case LOG_ERR:
		return "error";
	case LOG_WARNING:
		return "warning";
	case LOG_NOTICE:
	case LOG_INFO:
		return "info";
	default:
		return "debug";
	}
}

void log_at(int level, const char *fmt, ...)
{
	if (level > max_level)
		return;
	char line[2048];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	/* One write per line so that concurrent writers do not interleave. */
	if (isatty(STDERR_FILENO))
		dprintf(STDERR_FILENO, "%s: %s: %s\n", program, level_word(level), line);
	else
		dprintf(STDERR_FILENO, "<%d>%s: %s\n", level, program, line);
}
