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
#include "container/monitor_lock.h"
#include "container/state_folder.h"
#include "runtime/container_handle.h"
#include "runtime/container_start.h"
#include "runtime/container_stop.h"

void container_handle_init(struct container_handle *h)
{
	*h = (struct container_handle){ .monitor_pidfd = -1, .start_wd = -1 };
}

int container_handle_spawned(struct container_handle *h, pid_t monitor_pid,
			     struct monitor_watch *w, void *data)
{
	h->monitor_alive = true;
	h->monitor_pid = monitor_pid;
	/* The pid file may have been written before the watch began: looked for once anyway. */
	h->watch = w;
	h->start_wd = monitor_watch_folder(w, h->dir, CONTAINER_PID_FILE, data);
	h->pid_written = true;
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
	return h->monitor_alive || h->draining;
}

static void close_monitor(struct container_handle *h)
{
	if (h->monitor_pidfd >= 0)
		close(h->monitor_pidfd);
	h->monitor_pidfd = -1;
	h->monitor_alive = false;
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
	    exit_record_read(path, rec, NULL) == 0)
		return CONTAINER_ENDED;
	h->draining = true;
	(void)cgroup_kill(h->cgroup, NULL);
	return 0;
}

static int drained(struct container_handle *h)
{
	bool populated = false;
	if (cgroup_is_populated(h->cgroup, &populated, NULL) == 0 && populated)
		return 0;
	(void)cgroup_remove(h->cgroup, NULL);
	h->draining = false;
	return CONTAINER_ENDED | CONTAINER_LOST;
}

/* Without a pidfd (it could not be opened, or an adopted monitor had not written its pid
 * yet) the end is asked for directly. Only in these rare cases. */
static void check_unwatched(struct container_handle *h)
{
	if (h->adopted) {
		h->monitor_ended = monitor_lock_probe(h->dir) != 1;
	} else if (h->monitor_pid > 0 && waitpid(h->monitor_pid, &(int){ 0 }, WNOHANG) != 0) {
		h->monitor_pid = 0; /* reaped (or not ours to reap) */
		h->monitor_ended = true;
	}
}

int container_handle_poll(struct container_handle *h, struct exit_record *ret_rec)
{
	if (!container_handle_active(h))
		return 0;
	int changes = 0;
	if (h->pid == 0 && (h->start_wd < 0 || h->pid_written)) {
		h->pid_written = false;
		if (container_read_pid(h->dir, &h->pid, NULL) == 0) {
			changes |= CONTAINER_STARTED;
			forget_folder(h);
		}
	}
	if (h->monitor_alive && h->monitor_pidfd < 0)
		check_unwatched(h);
	if (h->monitor_alive && h->monitor_ended) {
		changes |= monitor_gone(h, ret_rec);
		if (changes & CONTAINER_ENDED)
			return changes;
	}
	if (h->draining)
		return changes | drained(h);
	if (h->stopping && !h->killed && monotonic_ms() >= h->kill_at_ms) {
		h->killed = true;
		(void)cgroup_kill(h->cgroup, NULL);
	}
	return changes;
}

/* The monitor forwards the signal to the container (or, still in set-up, holds it until the
 * container runs) and kills the cgroup itself after the stop timeout. */
bool container_handle_stop(struct container_handle *h)
{
	if (h->stopping)
		return container_handle_active(h);
	h->stopping = true;
	h->kill_at_ms = monotonic_ms() + (int64_t)h->stop_timeout * 1000;
	if (!container_handle_active(h))
		return false;
	if (h->monitor_pidfd >= 0)
		(void)container_pidfd_signal(h->monitor_pidfd, SIGTERM);
	return true;
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
