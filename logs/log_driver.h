/* The log drivers, one table entry each (logs/log_drivers.c): the name logConfiguration gives
 * it, the options it takes, and the writer tether-monitor runs for a container's output. A
 * driver's room is logs/log_NAME*.c; reading its logs back for `tether logs` is agent-side
 * (agent/logs/log_readers.c), so tether-monitor never links a reader. */
#pragma once

#include <stddef.h>
#include <stdint.h>

#include "common/error.h"
#include "logs/log_entry.h"

struct taskdef_log;
struct container_log;

struct log_option {
	const char *name; /* as logConfiguration.options names it: "max-size" */
	/* Check VALUE and keep it in LOG; errors name PATH (logConfiguration.options.NAME). */
	int (*parse)(const char *value, const char *path, struct taskdef_log *log,
		     struct error *err);
};

struct log_driver {
	const char *name;                 /* logConfiguration.logDriver: "json-file" */
	const struct log_option *options; /* ended by an entry without a name */
	/* The writer: FOLDER is the container's state folder; *ret_writer is the driver's own. */
	int (*open)(const struct container_log *cfg, const char *folder, void **ret_writer,
		    struct error *err);
	/* Write one entry; 0, or -errno when it was dropped (counted by the writer). */
	int (*write)(void *writer, const struct log_entry *e);
	/* Close (a NULL writer is nothing to close): how many entries were dropped, and the errno
	 * of the first loss (0 when none). */
	void (*close)(void *writer, uint64_t *ret_dropped, int *ret_first_error);
};

extern const struct log_driver log_driver_json_file;
extern const struct log_driver log_driver_journald;

/* The drivers, NULL-terminated. */
extern const struct log_driver *const log_drivers[];

/* The driver called NAME; NULL when there is none. */
const struct log_driver *log_driver_by_name(const char *name);

/* The option of D called NAME; NULL when D takes none of that name. */
const struct log_option *log_driver_option(const struct log_driver *d, const char *name);

/* "json-file, journald": the drivers' names, for messages. */
void log_driver_names(char *buf, size_t size);
/* "max-size, max-file": the options of D, for messages. */
void log_driver_option_names(const struct log_driver *d, char *buf, size_t size);
