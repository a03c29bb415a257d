/* A container the agent tracks: its monitor (a child of this agent, or adopted from an
 * earlier one after a restart), its pid once the monitor recorded it, and its stop sequence
 * (SIGTERM through the monitor's pidfd, which the monitor forwards; cgroup kill after the stop
 * timeout). The end of a monitor is learned from its pidfd in a monitor_watch. Polling never
 * blocks. */
#pragma once

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "container/exit_record.h"
#include "runtime/monitor_watch.h"

struct container_handle {
	char *dir;            /* state folder (owned) */
	char *cgroup;         /* relative to the cgroup2 mount (owned) */
	uint32_t stop_timeout;
	bool monitor_alive;   /* a monitor is tracked and has not been seen to end */
	pid_t monitor_pid;    /* 0 when unknown */
	int monitor_pidfd;    /* -1 when unknown */
	bool adopted;         /* spawned by an earlier agent: not our child, never waited for */
	bool monitor_ended;   /* the watch reported the monitor's end */
	bool draining;        /* the monitor died without an exit record: the cgroup was killed and
			       * the end is reported once it is empty */
	pid_t pid;            /* the container's first process; 0 until known */
	struct monitor_watch *watch; /* where its folder is watched for the pid file */
	int start_wd;         /* that folder watch; -1 when none (the pid file is looked for at
			       * every poll) */
	bool pid_written;     /* the watch saw the pid file written: look at the next poll */
	bool stopping, killed;
	int64_t kill_at_ms;
};

enum {
	CONTAINER_STARTED = 1 << 0, /* the pid became known */
	CONTAINER_ENDED = 1 << 1,   /* the monitor ended; the exit record is filled */
	CONTAINER_LOST = 1 << 2,    /* with ENDED: the monitor left no record, the exit is unknown
				     * (the container's processes were killed) */
};

void container_handle_init(struct container_handle *h);
/* The monitor MONITOR_PID was just spawned (our unreaped child, so its pid cannot have been
 * reused): open its pidfd and add it to W with DATA, and watch the state folder for the pid
 * file with DATA too (monitor_watch_collect_files: set pid_written). */
int container_handle_spawned(struct container_handle *h, pid_t monitor_pid,
			     struct monitor_watch *w, void *data);
/* True while the container may still have processes: a monitor or a cgroup to empty. */
bool container_handle_active(const struct container_handle *h);
/* What changed since the last poll (CONTAINER_* bits). On CONTAINER_ENDED without
 * CONTAINER_LOST *ret_rec holds the exit record. */
int container_handle_poll(struct container_handle *h, struct exit_record *ret_rec);
/* Begin the stop sequence; false when there is nothing running to stop. */
bool container_handle_stop(struct container_handle *h);
void container_handle_release(struct container_handle *h);
