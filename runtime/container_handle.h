/* A container the agent tracks: its monitor (a child of this agent, or adopted from an
 * earlier one after a restart), its pid once the monitor recorded it, and its stop sequence
 * (SIGTERM through the monitor's pidfd, which the monitor forwards; cgroup kill after the stop
 * timeout). The end of a monitor is learned from its pidfd in a monitor_watch. Polling never
 * blocks. Its state (runtime/container_state.h) moves with what the polls, the stop and the
 * adoption after a restart (container_adopt.h) find. */
#pragma once

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "container/exit_record.h"
#include "runtime/container_state.h"
#include "runtime/monitor_watch.h"

struct container_handle {
	char *dir;            /* state folder (owned) */
	char *cgroup;         /* relative to the cgroup2 mount (owned) */
	uint32_t stop_timeout;
	enum container_state state; /* changed only through container_handle_apply */
	pid_t monitor_pid;    /* 0 when unknown */
	int monitor_pidfd;    /* -1 when unknown */
	/* How its monitor is waited for, not a state: spawned by an earlier agent, it is not our
	 * child and never waited for. */
	bool adopted;
	pid_t pid;            /* the container's first process; 0 until known */
	/* It ran in an earlier start (its restart policy restarted it): an end of the new start
	 * before its pid, or without a record, is still the end of a container that ran. */
	bool ran_before;
	struct monitor_watch *watch; /* where its folder is watched for the pid file */
	int start_wd;         /* that folder watch; -1 when none (the pid file is looked for at
			       * every poll) */
	/* What the watch reported since the last poll, which acts on it (the events follow from
	 * what the poll then finds): not states. */
	bool monitor_end_noted;  /* the monitor's pidfd became readable */
	bool pid_write_noted;    /* the pid file was written in the watched folder */
	int64_t kill_at_ms;   /* while STOPPING: when the stop timeout passes */
};

/* What a poll saw happen; the state tells where the container now is. */
enum {
	CONTAINER_CHANGE_STARTED = 1 << 0, /* the pid became known */
	CONTAINER_CHANGE_ENDED = 1 << 1,   /* the monitor ended; the exit record is filled */
	CONTAINER_CHANGE_LOST = 1 << 2,    /* with ENDED: the monitor left no record, the exit is
					    * unknown (the container's processes were killed) */
};

void container_handle_init(struct container_handle *h);
/* The monitor MONITOR_PID was just spawned (our unreaped child, so its pid cannot have been
 * reused): open its pidfd and add it to W with DATA, and watch the state folder for the pid
 * file with DATA too (monitor_watch_collect_files: container_handle_note_pid_write). */
int container_handle_spawned(struct container_handle *h, pid_t monitor_pid,
			     struct monitor_watch *w, void *data);
/* Move the container's state with EVENT. An impossible event is a bug of ours, never of the
 * outside world: it is logged and the state is kept. */
void container_handle_apply(struct container_handle *h, enum container_event event);
/* The watch saw its monitor end (monitor_watch_collect) or its pid file written
 * (monitor_watch_collect_files); the next poll looks. */
void container_handle_note_monitor_end(struct container_handle *h);
void container_handle_note_pid_write(struct container_handle *h);
/* True while the container may still have processes: a monitor or a cgroup to empty. */
bool container_handle_active(const struct container_handle *h);
/* True while its pid is awaited and no folder watch tells when it is written: the caller polls
 * often. */
bool container_handle_awaits_unwatched_pid(const struct container_handle *h);
/* What changed since the last poll (CONTAINER_CHANGE_* bits). On CONTAINER_CHANGE_ENDED without
 * CONTAINER_CHANGE_LOST *ret_rec holds the exit record. */
int container_handle_poll(struct container_handle *h, struct exit_record *ret_rec);
/* Its restart policy restarts it (EXITED, or PULLING after an agent restart, -> RESTARTING):
 * the last start's pid and monitor are forgotten; container_handle_spawned follows. */
void container_handle_restart(struct container_handle *h);
/* Begin the stop sequence (STOPPING). A container not started yet never starts (NEVER_RAN);
 * a stop asked again, or of an ended container, changes nothing. */
void container_handle_stop(struct container_handle *h);
void container_handle_release(struct container_handle *h);
