/* A container's logConfiguration: which driver keeps its stdout and stderr, and how. The
 * drivers and the options each takes are those of the log driver table (logs/log_driver.h),
 * named as Docker names them: "json-file" (files in the container's state folder, rotated by
 * size) and "journald" (the host's journal). Others, unknown options and secretOptions are
 * refused by name. */
#pragma once

#include <stdint.h>

#include <cjson/cJSON.h>

#include "common/error.h"
#include "logs/log_driver.h"


struct taskdef_log {
	/* NULL without logConfiguration: journald when it runs, else json-file */
	const struct log_driver *driver;
	struct log_options options; /* as given: zero or NULL where not */
};

/* Parse the logConfiguration object at path; on error log holds what was parsed so far and
 * the caller releases it. */
int taskdef_log_from_json(const cJSON *json, const char *path, struct taskdef_log *log,
			  struct error *err);

/* A size as Docker's max-size takes it: digits with an optional k, m or g (powers of 1024, any
 * case, optionally followed by "b"), e.g. "10m", "512k", "1g", "4096". */

void taskdef_log_release(struct taskdef_log *log);
