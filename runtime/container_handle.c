/* Tracking one container from the agent. */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "cgroups/cgroup.h"
#include "common/cleanup.h"
#include "common/clock.h"
#include "common/log.h"
#include "container/monitor_lock.h"
#include "container/state_folder.h"
#include "runtime/container_handle.h"
#include "runtime/container_start.h"
#include "runtime/container_stop.h"

void container_handle_init(struct container_handle *h)
{
	*h = (struct container_handle){ .monitor_pidfd = -1, .start_wd = -1 };
}

void container_handle_apply(struct container_handle *h, enum container_event event)
{
	struct error err = { 0 };
	enum container_state before = h->state;
	if (container_state_next(before, event, &h->state, &err) < 0)
		log_error("Container %s: %s, ignoring", h->dir, err.message);
	else if (h->state != before)
		log_debug("Container %s: %s -> %s (%s)", h->dir, container_state_name(before),
			  container_state_name(h->state), container_event_name(event));
}

void container_handle_note_monitor_end(struct container_handle *h)
{
	h->monitor_end_noted = true;
}

void container_handle_note_pid_write(struct container_handle *h)
{
	h->pid_write_noted = true;
}

int container_handle_spawned(struct container_handle *h, pid_t monitor_pid,
			     struct monitor_watch *w, void *data)
{
	container_handle_apply(h, CONTAINER_EVENT_SPAWNED);
	h->monitor_pid = monitor_pid;
	/* The pid file may have been written before the watch began: looked for once anyway. */
	h->watch = w;
	h->start_wd = monitor_watch_folder(w, h->dir, CONTAINER_PID_FILE, data);
	h->pid_write_noted = true;
	h->monitor_pidfd = container_pidfd_open(monitor_pid);
	if (h->monitor_pidfd < 0)
		return h->monitor_pidfd;
	return monitor_watch_add(w, h->monitor_pidfd, data);
}

static void forget_folder(struct container_handle *h)
{
	if (h->start_wd >= 0)
		monitor_watch_forget_folder(h->watch, h->start_wd);
	h->start_wd = -1;
}

bool container_handle_active(const struct container_handle *h)
{
	return container_state_is_active(h->state);
}

bool container_handle_awaits_unwatched_pid(const struct container_handle *h)
{
	return container_state_is_active(h->state) && h->pid == 0 && h->start_wd < 0;
}

static void close_monitor(struct container_handle *h)
{
	if (h->monitor_pidfd >= 0)
		close(h->monitor_pidfd);
	h->monitor_pidfd = -1;
	forget_folder(h);
}

/* The monitor is gone: its record, or nothing (then the container may live on without its
 * supervisor and its cgroup is killed). */
static int monitor_gone(struct container_handle *h, struct exit_record *rec)
{
	if (!h->adopted && h->monitor_pid > 0) {
		int status;
		while (waitpid(h->monitor_pid, &status, 0) < 0 && errno == EINTR)
			; /* its pidfd said it ended: this does not block */
	}
	close_monitor(h);
	_cleanup_free_ char *path = NULL;
	*rec = (struct exit_record){ 0 };
	if (asprintf(&path, "%s/%s", h->dir, CONTAINER_EXIT_FILE) >= 0 &&
	    exit_record_read(path, rec, NULL) == 0) {
		container_handle_apply(h, container_end_event(h->pid != 0 || h->ran_before,
							      rec->error != NULL));
		return CONTAINER_CHANGE_ENDED;
	}
	container_handle_apply(h, CONTAINER_EVENT_MONITOR_LOST);
	(void)cgroup_kill(h->cgroup, NULL);
	return 0;
}

static int drained(struct container_handle *h)
{
	bool populated = false;
	if (cgroup_is_populated(h->cgroup, &populated, NULL) == 0 && populated)
		return 0;
	struct error err = { 0 };
	if (cgroup_remove(h->cgroup, &err) < 0)
		log_warning("a lost container's cgroup stays: %s", err.message);
	/* Without a record, it ran if its pid was seen (now or in an earlier start). */
	container_handle_apply(h, h->pid || h->ran_before ? CONTAINER_EVENT_ENDED
						       : CONTAINER_EVENT_START_FAILED);
	return CONTAINER_CHANGE_ENDED | CONTAINER_CHANGE_LOST;
}

/* Without a pidfd (it could not be opened, or an adopted monitor had not written its pid
 * yet) the end is asked for directly. Only in these rare cases. */
static void check_unwatched(struct container_handle *h)
{
	if (h->adopted) {
		h->monitor_end_noted = monitor_lock_probe(h->dir) != 1;
	} else if (h->monitor_pid > 0 && waitpid(h->monitor_pid, &(int){ 0 }, WNOHANG) != 0) {
		h->monitor_pid = 0; /* reaped (or not ours to reap) */
		h->monitor_end_noted = true;
	}
}

int container_handle_poll(struct container_handle *h, struct exit_record *ret_rec)
{
	if (!container_handle_active(h))
		return 0;
	int changes = 0;
	if (h->pid == 0 && (h->start_wd < 0 || h->pid_write_noted)) {
		h->pid_write_noted = false;
		if (container_read_pid(h->dir, &h->pid, NULL) == 0) {
			container_handle_apply(h, CONTAINER_EVENT_PID_SEEN);
			changes |= CONTAINER_CHANGE_STARTED;
			forget_folder(h);
		}
	}
	if (container_state_has_monitor(h->state) && h->monitor_pidfd < 0)
		check_unwatched(h);
	if (container_state_has_monitor(h->state) && h->monitor_end_noted) {
		changes |= monitor_gone(h, ret_rec);
		if (changes & CONTAINER_CHANGE_ENDED)
			return changes;
	}
	if (h->state == CONTAINER_LOST)
		return changes | drained(h);
	if (h->state == CONTAINER_STOPPING && monotonic_ms() >= h->kill_at_ms) {
		container_handle_apply(h, CONTAINER_EVENT_STOP_TIMEOUT);
		(void)cgroup_kill(h->cgroup, NULL);
	}
	return changes;
}

void container_handle_restart(struct container_handle *h)
{
	container_handle_apply(h, CONTAINER_EVENT_RESTART);
	if (h->state != CONTAINER_RESTARTING)
		return;
	close_monitor(h);
	h->ran_before = true;
	h->adopted = false;
	h->monitor_pid = 0;
	h->pid = 0;
	h->monitor_end_noted = h->pid_write_noted = false;
	h->kill_at_ms = 0;
}

/* The monitor forwards the signal to the container (or, still in set-up, holds it until the
 * container runs) and kills the cgroup itself after the stop timeout. */
void container_handle_stop(struct container_handle *h)
{
	if (container_state_is_final(h->state))
		return;
	/* Not started (then it never will), asked again, or lost (nothing left to signal): the
	 * new state says all. */
	bool begins = h->state == CONTAINER_STARTING || h->state == CONTAINER_RUNNING;
	container_handle_apply(h, CONTAINER_EVENT_STOP_ASKED);
	if (!begins)
		return;
	h->kill_at_ms = monotonic_ms() + (int64_t)h->stop_timeout * 1000;
	if (h->monitor_pidfd >= 0)
		(void)container_pidfd_signal(h->monitor_pidfd, SIGTERM);
}

void container_handle_release(struct container_handle *h)
{
	forget_folder(h);
	if (h->monitor_pidfd >= 0)
		close(h->monitor_pidfd);
	free(h->dir);
	free(h->cgroup);
	container_handle_init(h);
}
