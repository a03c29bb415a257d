/* A container the agent started: its monitor (a child of the agent, reaped here), its pid
 * once the monitor recorded it, and its stop sequence (SIGTERM through a pidfd, cgroup kill
 * after the stop timeout). Polling never blocks. */
#pragma once

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "runtime/exit_record.h"

struct container_handle {
	char *dir;            /* state folder (owned) */
	char *cgroup;         /* relative to the cgroup2 mount (owned) */
	uint32_t stop_timeout;
	pid_t monitor_pid;    /* 0 once reaped or when never spawned */
	pid_t pid;            /* the container's first process; 0 until known */
	int pidfd;
	bool stopping, killed;
	int64_t kill_at_ms;
};

enum {
	CONTAINER_STARTED = 1 << 0, /* the pid became known */
	CONTAINER_ENDED = 1 << 1,   /* the monitor was reaped; the exit record is filled */
};

void container_handle_init(struct container_handle *h);
/* What changed since the last poll (CONTAINER_* bits). On CONTAINER_ENDED *ret_rec holds the
 * exit record; a monitor that left none gives a record whose error says so. */
int container_handle_poll(struct container_handle *h, struct exit_record *ret_rec);
/* Begin the stop sequence; false when there is nothing running to stop. */
bool container_handle_stop(struct container_handle *h);
void container_handle_release(struct container_handle *h);

/* CLOCK_MONOTONIC in milliseconds. */
int64_t monotonic_ms(void);
