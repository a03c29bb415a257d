/* The container's stdout and stderr, held by tether-monitor: two pipes whose write ends the
 * container gets, read here and written line by line with the writer of the configured
 * driver (logs/log_driver.h). The container never writes to a file or socket itself, so it never blocks or
 * dies because the agent is gone. */
#pragma once

#include <poll.h>
#include <stdbool.h>

#include "common/error.h"
#include "container/container_log.h"
#include "logs/log_line.h"

struct log_forward {
	const struct container_log *cfg;
	int read_fd[2];              /* stdout, stderr; -1 once at end of file */
	int write_fd[2];             /* the container's ends; closed once it has them */
	struct log_line_buffer buf[2];
	void *writer;                /* the driver's own, from its open */
	bool reported;               /* the first dropped line was noted in monitor.log */
};

/* Open the driver and the pipes. FOLDER is the container's state folder. */
int log_forward_open(struct log_forward *lf, const struct container_log *cfg,
		     const char *folder, struct error *err);

/* Close the container's ends in the monitor (after the clone). */
void log_forward_close_write_ends(struct log_forward *lf);

/* Fill pfd[0..1] with the open read ends (fd -1 for ended streams). */
void log_forward_poll_fds(const struct log_forward *lf, struct pollfd pfd[2]);

/* Read what is ready on both pipes and write its complete lines. */
void log_forward_read(struct log_forward *lf);

/* After the container ended: read until both pipes are at end of file (or nothing arrived
 * for timeout_ms), write every line, the unfinished ones as partial. */
void log_forward_drain(struct log_forward *lf, int timeout_ms);

/* Close everything; a count of dropped lines goes to monitor.log. */
void log_forward_close(struct log_forward *lf);
