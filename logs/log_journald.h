/* The journald log driver's writer: each line one journal entry, sent over journald's native
 * protocol (one datagram of fields to /run/systemd/journal/socket, as sd_journal_sendv sends
 * it) with MESSAGE, PRIORITY (6 for stdout, 3 for stderr), SYSLOG_IDENTIFIER, TETHER_TASK_ARN,
 * TETHER_TASK_ID, TETHER_CONTAINER_NAME, and TETHER_PARTIAL_MESSAGE=true on a cut line.
 * tether-monitor does not link libsystemd for this: see docs/architecture.md. A send that
 * fails or waits more than a second drops the line and counts it. */
#pragma once

#include <stdint.h>

#include "common/error.h"
#include "logs/log_entry.h"

struct log_journald {
	int fd;
	char *identity;     /* the fields every entry carries, in the native format */
	size_t identity_len;
	uint64_t dropped;
	int first_error;
};

#define JOURNALD_SOCKET "/run/systemd/journal/socket"

/* SOCKET_PATH: JOURNALD_SOCKET, or another path for tests. */
int log_journald_open(struct log_journald *j, const char *socket_path, const char *tag,
		      const char *task_arn, const char *container_name, struct error *err);

int log_journald_write(struct log_journald *j, const struct log_entry *e);

void log_journald_close(struct log_journald *j);
