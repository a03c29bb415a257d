/* After an agent restart: what a container's state folder says about it, and taking it over.
 * The folder holds config.json, monitor.lock (held by a live monitor), monitor.pid, pid (the
 * container's first process) and exit.json (written by the monitor when the container ended). */
#pragma once

#include <stdint.h>

#include "container/exit_record.h"
#include "runtime/container_handle.h"
#include "runtime/monitor_watch.h"

enum container_found {
	CONTAINER_FOUND_NOT_STARTED, /* no monitor ever ran in the folder (or one gave up before
				      * it started the container) */
	CONTAINER_FOUND_ALIVE,       /* its monitor still holds the lock */
	CONTAINER_FOUND_EXITED,      /* the monitor recorded how the container ended */
	CONTAINER_FOUND_LOST,        /* the monitor ended without a record (killed): the exit
				      * is unknown and the container may run on unsupervised */
};

const char *container_found_to_string(enum container_found f);

/* The decision alone, from the files and the lock; changes nothing. */
enum container_found container_inspect(const char *folder);

/* The wall-clock time (s) the exit record in FOLDER was written (its mtime: the monitor
 * writes it once, by rename), or a negative errno (-ENOENT: there is none). */
int container_exit_recorded_at(const char *folder, int64_t *ret);

/* Take over the container in H->dir (H fresh from container_handle_init, with dir, cgroup,
 * stop_timeout and ran_before set):
 * - ALIVE: its monitor's pidfd goes into W with DATA; H is tracked as an adopted monitor,
 *   STARTING or RUNNING.
 * - EXITED: *ret_rec holds the exit record (the caller releases it); EXITED or NEVER_RAN.
 * - LOST: the container's cgroup is killed; container_handle_poll reports
 *   CONTAINER_CHANGE_ENDED | CONTAINER_CHANGE_LOST once it is empty.
 * - NOT_STARTED: nothing is done; still PULLING.
 * H->pid is the container's pid when the monitor recorded one. */
enum container_found container_handle_adopt(struct container_handle *h, struct monitor_watch *w,
					    void *data, struct exit_record *ret_rec);
