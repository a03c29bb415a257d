/* Starting a container from the agent: write its config.json into its state folder, take the
 * folder's monitor lock and spawn tether-monitor with it (a new session, so it outlives the
 * agent), make the container's cgroup for that monitor (the systemd driver needs its pid) and
 * only then let the monitor go on. The agent is multi-threaded and never forks: posix_spawn
 * only. */
#pragma once

#include <sys/types.h>

#include "cgroups/cgroup.h"
#include "common/error.h"
#include "container/container_config.h"
#include "container/state_folder.h"


/* LIMITS may be NULL (none set). On success *ret_monitor_pid is the monitor, a child of the
 * caller to reap with waitpid. -EBUSY when a monitor still runs in the folder: a container is
 * never started twice. */
int container_start(const char *monitor_path, const char *state_folder,
		    const struct container_config *cfg, const struct cgroup_limits *limits,
		    pid_t *ret_monitor_pid, struct error *err);

/* The container's host pid from its pid file; -ENOENT until the monitor wrote it. */
int container_read_pid(const char *state_folder, pid_t *ret, struct error *err);

/* The monitor's pid from its monitor.pid file; -ENOENT until the monitor wrote it. */
int container_read_monitor_pid(const char *state_folder, pid_t *ret);
