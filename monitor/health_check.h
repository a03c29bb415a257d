/* The container's healthCheck, run by its monitor from the same poll loop that forwards its
 * output: never blocking, so a check never delays the container's stop, its exit or its logs.
 * Each check is a child cloned into a cgroup below the container's (CLONE_INTO_CGROUP), so it
 * counts against the container's limits and device filter; it joins the container's
 * namespaces through a pidfd of its first process, forks once more to be inside its pid
 * namespace, takes the container's identity and execs (monitor/container_setup.h). A check
 * past its timeout is killed with all it started (cgroup.kill). Every result goes through
 * container/health_decide.h and into health.json (container/health_record.h). */
#pragma once

#include <poll.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "common/error.h"
#include "container/container_config.h"
#include "container/health_decide.h"
#include "monitor/seccomp_profile.h"

/* The cgroup of the checks, below the container's. The container's cgroup enables no
 * controller in its subtree_control, so processes may live both in it and below it. */
#define HEALTH_CHECK_CGROUP "health-check"

#define HEALTH_CHECK_POLL_FDS 2

struct health_checker {
	const struct container_config *cfg;
	const struct seccomp_program *seccomp; /* the container's, kept by the monitor */
	int keep_out_fd;       /* closed in checks (monitor.lock) */
	char *record_path;
	char *cgroup;          /* relative to the cgroup2 mount */
	int container_pidfd;
	int64_t started_ms, next_ms;
	/* The check running, if any (pidfd -1 otherwise). */
	int pidfd, out_fd;
	int64_t check_started_ms, deadline_ms;
	bool timed_out;
	bool cgroup_left;      /* the check's cgroup waits to be emptied and removed */
	char out[2 * 1024];
	size_t out_len;
	struct health_state state;
	uint64_t checks;
	/* The container's oom_kill counter when the running check started (when known), and
	 * the kills its checks took: they are the checks', not the container's. */
	bool oom_known;
	uint64_t oom_at_start;
	uint64_t oom_kills;
};

/* Nothing runs when the container has no healthCheck (cfg->health_check.argv NULL).
 * CONTAINER_PID: the container's first process, just started. */
int health_checker_start(struct health_checker *hc, const struct container_config *cfg,
			 const char *folder, pid_t container_pid,
			 const struct seccomp_program *seccomp, int keep_out_fd, struct error *err);
/* The descriptors to poll (fd -1 where none) and how long the poll may sleep (-1: forever). */
void health_checker_poll_fds(const struct health_checker *hc, struct pollfd pfd[]);
int health_checker_timeout_ms(const struct health_checker *hc);
/* Make progress: read output, end a check that ended or passed its timeout, start the next. */
void health_checker_step(struct health_checker *hc);
/* The container ended: kill a running check, reap it, remove its cgroup. */
void health_checker_stop(struct health_checker *hc);
