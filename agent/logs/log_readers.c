/* The table of log readers for `tether logs`, one per log driver (logs/log_drivers.c). The
 * agent alone reads logs back, so this table lives apart from the drivers' writers that
 * tether-monitor links. */
#include <stddef.h>

#include "agent/logs/log_read.h"
#include "common/cleanup.h"
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
