/* The table of log readers for `tether logs`, one per log driver (logs/log_drivers.c). The
 * agent alone reads logs back, so this table lives apart from the drivers' writers that
 * tether-monitor links. */
#include <limits.h>
#include <stddef.h>
#include <stdio.h>
#include <unistd.h>

#include "agent/logs/log_read.h"
#include "common/cleanup.h"
#include "container/state_folder.h"
#include "logs/log_driver.h"

static const struct log_reader log_readers[] = {
	{ &log_driver_json_file, log_read_json_file },
	{ &log_driver_journald, log_read_journal },
};

const struct log_reader *log_reader_for(const struct log_driver *d)
{
	for (size_t i = 0; i < ELEMENTSOF(log_readers); i++)
		if (log_readers[i].driver == d)
			return &log_readers[i];
	return NULL;
}

void log_read_print(bool is_stderr, const char *text, size_t len, bool newline)
{
	FILE *out = is_stderr ? stderr : stdout;
	fwrite(text, 1, len, out);
	if (newline)
		fputc('\n', out);
}

bool log_read_container_ended(const char *folder)
{
	char path[PATH_MAX];
	snprintf(path, sizeof(path), "%s/%s", folder, CONTAINER_EXIT_FILE);
	return access(path, F_OK) == 0;
}
