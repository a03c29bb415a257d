/* The table of log drivers. A new driver is its room in logs/ and one more line here (and a
 * reader in agent/logs/log_readers.c for `tether logs`). */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "common/parse.h"
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

int log_parse_size(const char *s, uint64_t *ret)
{
	size_t digits = strspn(s, "0123456789");
	if (digits == 0 || digits > 15)
		return -EINVAL;
	const char *unit = s + digits;
	uint64_t mult = 1;
	switch (tolower((unsigned char)*unit)) {
	case 'k': mult = 1024; unit++; break;
	case 'm': mult = 1024 * 1024; unit++; break;
	case 'g': mult = 1024 * 1024 * 1024; unit++; break;
	default: break;
	}
	if (mult > 1 && tolower((unsigned char)*unit) == 'b')
		unit++;
	if (*unit)
		return -EINVAL;
	char number[16];
	memcpy(number, s, digits);
	number[digits] = '\0';
	uint64_t n;
	int r = parse_u64(number, 0, UINT64_MAX / mult, &n);
	if (r < 0)
		return r;
	*ret = n * mult;
	return 0;
}
