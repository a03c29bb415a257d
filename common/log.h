/* Program-level logging. Lines go to stderr with a syslog priority prefix ("<3>") that
 * journald understands when the program runs under systemd; on a terminal the prefix is
 * replaced by a word. Library code does not log: it returns errors (common/error.h). */
#pragma once

#include <syslog.h>

void log_set_program(const char *name);
void log_set_max_level(int level);
void log_at(int level, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

#define log_error(...) log_at(LOG_ERR, __VA_ARGS__)
#define log_warning(...) log_at(LOG_WARNING, __VA_ARGS__)
#define log_info(...) log_at(LOG_INFO, __VA_ARGS__)
#define log_debug(...) log_at(LOG_DEBUG, __VA_ARGS__)
