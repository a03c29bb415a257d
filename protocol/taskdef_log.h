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

#define TASKDEF_LOG_MIN_SIZE 4096ULL                  /* max-size */
#define TASKDEF_LOG_MAX_SIZE (1024ULL * 1024 * 1024 * 1024)
#define TASKDEF_LOG_MAX_FILES 100                     /* max-file */
#define TASKDEF_LOG_MAX_TAG 255

struct taskdef_log {
	/* NULL without logConfiguration: journald when it runs, else json-file */
	const struct log_driver *driver;
	uint64_t max_size;  /* json-file max-size in bytes; 0 = not given */
	uint32_t max_file;  /* json-file max-file; 0 = not given */
	char *tag;          /* journald tag (SYSLOG_IDENTIFIER); NULL = not given */
};

/* Parse the logConfiguration object at path; on error log holds what was parsed so far and
 * the caller releases it. */
int taskdef_log_from_json(const cJSON *json, const char *path, struct taskdef_log *log,
			  struct error *err);

/* A size as Docker's max-size takes it: digits with an optional k, m or g (powers of 1024, any
 * case, optionally followed by "b"), e.g. "10m", "512k", "1g", "4096". */
int taskdef_log_parse_size(const char *s, uint64_t *ret);

void taskdef_log_release(struct taskdef_log *log);
