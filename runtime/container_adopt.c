/* Re-adopting containers: the monitor's lock says whether it lives (no pid can fool it), its
 * pidfd, opened before the lock is checked, is then surely the monitor. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>

#include "cgroups/cgroup.h"
#include "common/cleanup.h"
#include "common/fileio.h"
#include "container/container_config.h"
#include "container/monitor_lock.h"
#include "container/state_folder.h"
#include "runtime/container_adopt.h"
#include "runtime/container_start.h"
#include "runtime/container_stop.h"

const char *container_found_to_string(enum container_found f)
{
	switch (f) {
	case CONTAINER_FOUND_NOT_STARTED:
		return "not started";
	case CONTAINER_FOUND_ALIVE:
		return "alive";
	case CONTAINER_FOUND_EXITED:
		return "exited";
	case CONTAINER_FOUND_LOST:
		return "lost";
	}
	return "unknown";
}

static int read_exit(const char *folder, struct exit_record *rec)
{
	_cleanup_free_ char *path = NULL;
	if (asprintf(&path, "%s/%s", folder, CONTAINER_EXIT_FILE) < 0)
		return -ENOMEM;
	return exit_record_read(path, rec, NULL);
}

int container_exit_recorded_at(const char *folder, int64_t *ret)
{
	_cleanup_free_ char *path = NULL;
	struct stat st;
	if (asprintf(&path, "%s/%s", folder, CONTAINER_EXIT_FILE) < 0)
		return -ENOMEM;
	if (stat(path, &st) < 0)
		return -errno;
	*ret = st.st_mtim.tv_sec;
	return 0;
}

static bool exit_recorded(const char *folder)
{
	int64_t at;
	return container_exit_recorded_at(folder, &at) == 0;
}

/* The record is written before the monitor ends and removed only under its lock when a new
 * monitor starts: once there, it is this container's last word. */
enum container_found container_inspect(const char *folder)
{
	if (exit_recorded(folder))
		return CONTAINER_FOUND_EXITED;
	int held = monitor_lock_probe(folder);
	if (held == -ENOENT)
		return CONTAINER_FOUND_NOT_STARTED;
	if (held == 1)
		return CONTAINER_FOUND_ALIVE;
	/* The monitor may have written its record and ended since we looked. */
	if (exit_recorded(folder))
		return CONTAINER_FOUND_EXITED;
	/* A monitor writes its pid before anything else, and the agent removes a stale one
	 * before it spawns the next: without it no monitor ran here (the agent ended between
	 * locking the folder and spawning one), so nothing was started. */
	pid_t monitor_pid;
	return container_read_monitor_pid(folder, &monitor_pid) == 0 ? CONTAINER_FOUND_LOST
								     : CONTAINER_FOUND_NOT_STARTED;
}

/* The cgroup the monitor was given, as its config.json records it: an agent restarted with
 * another cgroup driver (cgroupfs before, delegated now) names the cgroup otherwise, but the
 * container stays where it was born. Kept as named when the record cannot be read. */
static void adopt_recorded_cgroup(struct container_handle *h)
{
	_cleanup_free_ char *path = NULL, *text = NULL;
	if (asprintf(&path, "%s/%s", h->dir, CONTAINER_CONFIG_FILE) < 0 ||
	    read_file_full(path, 1024 * 1024, &text, NULL) < 0)
		return;
	char *cgroup = NULL;
	if (container_config_cgroup_from_json(text, &cgroup) < 0)
		return;
	free(h->cgroup);
	h->cgroup = cgroup;
}

enum container_found container_handle_adopt(struct container_handle *h, struct monitor_watch *w,
					    void *data, struct exit_record *ret_rec)
{
	/* The pidfd first, the lock second: a lock still held afterwards proves the monitor
	 * lived when the pidfd was opened, so the pid was not yet anyone else's. */
	pid_t monitor_pid = 0;
	int pidfd = -1;
	if (container_read_monitor_pid(h->dir, &monitor_pid) == 0)
		pidfd = container_pidfd_open(monitor_pid);
	enum container_found found = container_inspect(h->dir);
	if (found == CONTAINER_FOUND_EXITED && read_exit(h->dir, ret_rec) < 0)
		found = CONTAINER_FOUND_LOST; /* a record that cannot be read tells nothing */
	if (found != CONTAINER_FOUND_NOT_STARTED) {
		adopt_recorded_cgroup(h);
		container_handle_apply(h, CONTAINER_EVENT_ADOPTED);
		if (container_read_pid(h->dir, &h->pid, NULL) == 0)
			container_handle_apply(h, CONTAINER_EVENT_PID_SEEN);
	}
	switch (found) {
	case CONTAINER_FOUND_ALIVE:
		h->adopted = true;
		h->monitor_pid = monitor_pid;
		h->monitor_pidfd = pidfd;
		/* Without a pidfd (the monitor had not written its pid yet) the poll asks the
		 * lock instead. */
		if (pidfd >= 0 && monitor_watch_add(w, pidfd, data) < 0) {
			close(pidfd);
			h->monitor_pidfd = -1;
		}
		return found;
	case CONTAINER_FOUND_LOST:
		container_handle_apply(h, CONTAINER_EVENT_MONITOR_LOST);
		(void)cgroup_kill(h->cgroup, NULL);
		break;
	case CONTAINER_FOUND_EXITED:
		container_handle_apply(h, container_end_event(h->pid != 0 || h->ran_before,
							      ret_rec->error != NULL));
		break;
	case CONTAINER_FOUND_NOT_STARTED:
		break;
	}
	if (pidfd >= 0)
		close(pidfd);
	return found;
}
