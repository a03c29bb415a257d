/* The table of log drivers. A new driver is its room in logs/ and one more line here (and a
 * reader in agent/logs/log_readers.c for `tether logs`). */
#include <stdio.h>
#include <string.h>

#include "logs/log_driver.h"

const struct log_driver *const log_drivers[] = {
	&log_driver_json_file,
	&log_driver_journald,
	NULL,
};

const struct log_driver *log_driver_by_name(const char *name)
{
	for (size_t i = 0; log_drivers[i]; i++)
		if (!strcmp(log_drivers[i]->name, name))
			return log_drivers[i];
	return NULL;
}

const struct log_option *log_driver_option(const struct log_driver *d, const char *name)
{
	for (const struct log_option *o = d->options; o->name; o++)
		if (!strcmp(o->name, name))
			return o;
	return NULL;
}

/* Append ", NAME" (or NAME first) to BUF, truncating at SIZE. */
static void append_name(char *buf, size_t size, const char *name)
{
	size_t used = strlen(buf);
	if (used < size)
		snprintf(buf + used, size - used, "%s%s", used ? ", " : "", name);
}

void log_driver_names(char *buf, size_t size)
{
	buf[0] = '\0';
	for (size_t i = 0; log_drivers[i]; i++)
		append_name(buf, size, log_drivers[i]->name);
}

void log_driver_option_names(const struct log_driver *d, char *buf, size_t size)
{
	buf[0] = '\0';
	for (const struct log_option *o = d->options; o->name; o++)
		append_name(buf, size, o->name);
}
