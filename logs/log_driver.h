/* The log drivers, one table entry each (logs/log_drivers.c): the name logConfiguration gives
 * it, the options it takes, and the writer tether-monitor runs for a container's output. A
 * driver's room is logs/log_NAME*.c; reading its logs back for `tether logs` is agent-side
 * (agent/logs/log_readers.c), so tether-monitor never links a reader. */
#pragma once

#include <stddef.h>
#include <stdint.h>

#include "common/error.h"
#include "logs/log_entry.h"

#define LOG_MIN_SIZE 4096ULL                  /* max-size */
#define LOG_MAX_SIZE (1024ULL * 1024 * 1024 * 1024)
#define LOG_MAX_FILES 100                     /* max-file */
#define LOG_MAX_TAG 255

/* What the drivers' options set, as a task definition's logConfiguration gives them and as a
 * container's config.json carries them. */
struct log_options {
	uint64_t max_size; /* json-file max-size in bytes; 0 = not given */
	uint32_t max_file; /* json-file max-file; 0 = not given */
	char *tag;         /* journald tag (SYSLOG_IDENTIFIER); NULL = not given */
};

/* Whose output a writer keeps. */
struct log_source {
	const char *task_arn, *container_name;
};

struct log_option {
	const char *name; /* as logConfiguration.options names it: "max-size" */
	/* Check VALUE and keep it in OPTIONS; errors name PATH (logConfiguration.options.NAME). */
	int (*parse)(const char *value, const char *path, struct log_options *options,
		     struct error *err);
};

struct log_driver {
	const char *name;                 /* logConfiguration.logDriver: "json-file" */
	const struct log_option *options; /* ended by an entry without a name */
	/* The writer: FOLDER is the container's state folder; *ret_writer is the driver's own. */
	int (*open)(const struct log_options *options, const struct log_source *source,
		    const char *folder, void **ret_writer, struct error *err);
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

/* A size as Docker's log options write it: digits, then k, m or g (powers of 1024), an
 * optional b. -EINVAL when it is not one. */
int log_parse_size(const char *s, uint64_t *ret);

/* "json-file, journald": the drivers' names, for messages. */
void log_driver_names(char *buf, size_t size);
/* "max-size, max-file": the options of D, for messages. */
void log_driver_option_names(const struct log_driver *d, char *buf, size_t size);
