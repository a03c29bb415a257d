/* Tracking one started container from the agent. */
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
#include "runtime/container_handle.h"
#include "runtime/container_start.h"
#include "runtime/container_stop.h"

int64_t monotonic_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

void container_handle_init(struct container_handle *h)
{
	*h = (struct container_handle){ .pidfd = -1 };
}

static bool exit_record_exists(const char *dir)
{
	_cleanup_free_ char *path = NULL;
	if (asprintf(&path, "%s/%s", dir, CONTAINER_EXIT_FILE) < 0)
		return false;
	return access(path, F_OK) == 0;
}

static void read_exit(const struct container_handle *h, struct exit_record *rec)
{
	_cleanup_free_ char *path = NULL;
	*rec = (struct exit_record){ 0 };
	if (asprintf(&path, "%s/%s", h->dir, CONTAINER_EXIT_FILE) >= 0 &&
	    exit_record_read(path, rec, NULL) == 0)
		return;
	*rec = (struct exit_record){ .exit_code = 127,
				     .error = strdup("the monitor ended without an exit record") };
}

int container_handle_poll(struct container_handle *h, struct exit_record *ret_rec)
{
	int changes = 0;
	if (h->monitor_pid == 0)
		return 0;
	if (h->pid == 0 && container_read_pid(h->dir, &h->pid, NULL) == 0) {
		h->pidfd = container_pidfd_open(h->pid);
		/* Once the exit record exists the pid may already belong to another process:
		 * signals then go nowhere rather than to a stranger. */
		if (h->pidfd >= 0 && exit_record_exists(h->dir)) {
			close(h->pidfd);
			h->pidfd = -1;
		}
		if (h->stopping && h->pidfd >= 0)
			(void)container_pidfd_signal(h->pidfd, SIGTERM);
		changes |= CONTAINER_STARTED;
	}
	int status;
	if (waitpid(h->monitor_pid, &status, WNOHANG) == h->monitor_pid) {
		h->monitor_pid = 0;
		if (h->pidfd >= 0) {
			close(h->pidfd);
			h->pidfd = -1;
		}
		read_exit(h, ret_rec);
		return changes | CONTAINER_ENDED;
	}
	if (h->stopping && !h->killed && monotonic_ms() >= h->kill_at_ms) {
		h->killed = true;
		(void)cgroup_kill(h->cgroup, NULL);
	}
	return changes;
}

/* A container still in set-up gets the signal through its monitor, which forwards it. */
bool container_handle_stop(struct container_handle *h)
{
	if (h->stopping)
		return h->monitor_pid != 0;
	h->stopping = true;
	h->kill_at_ms = monotonic_ms() + (int64_t)h->stop_timeout * 1000;
	if (h->monitor_pid == 0)
		return false;
	if (h->pidfd >= 0)
		(void)container_pidfd_signal(h->pidfd, SIGTERM);
	else
		(void)kill(h->monitor_pid, SIGTERM);
	return true;
}

void container_handle_release(struct container_handle *h)
{
	if (h->pidfd >= 0)
		close(h->pidfd);
	free(h->dir);
	free(h->cgroup);
	container_handle_init(h);
}
