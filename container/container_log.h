/* Where a container's stdout and stderr go, resolved on the agent side from its
 * logConfiguration and handed to tether-monitor in config.json ("log"). */
#pragma once

#include <stdbool.h>
#include <stdint.h>

#include <cjson/cJSON.h>

#include "protocol/taskdef_log.h"

/* json-file without options: Docker keeps everything; a node's disk must never fill, so
 * tether keeps at most 3 files of 10 MiB. max-size alone keeps one file, as Docker does. */
#define CONTAINER_LOG_DEFAULT_MAX_SIZE (10ULL * 1024 * 1024)
#define CONTAINER_LOG_DEFAULT_MAX_FILE 3


struct container_log {
	const struct log_driver *driver; /* never NULL once resolved */
	/* json-file: max_size bytes per file, max_file files kept (the current one included);
	 * journald: tag, its SYSLOG_IDENTIFIER */
	struct log_options options;
	char *task_arn;
	char *container_name;
};

/* Resolve the definition's logConfiguration: the default driver is journald when the journal
 * runs (journald_running), json-file otherwise; the tag defaults to the container's name. */
int container_log_resolve(const struct taskdef_log *def, const char *container_name,
			  const char *task_arn, bool journald_running, struct container_log *ret);

/* True when journald's socket on this host takes connections. */
bool container_log_journald_running(void);

cJSON *container_log_to_json(const struct container_log *log);
int container_log_from_json(const cJSON *json, struct container_log *ret);

void container_log_release(struct container_log *log);
