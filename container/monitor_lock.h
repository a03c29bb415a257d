/* STATE_FOLDER/monitor.lock: held (flock) by a container's tether-monitor for as long as it
 * lives, so anyone can tell whether the container still has its supervisor without trusting a
 * pid that may have been reused. The agent takes the lock before it spawns the monitor and
 * hands the locked descriptor over as fd 3: the lock is held from before the monitor exists
 * until it ends, with no gap an agent restart could fall into, and a folder whose monitor is
 * alive can never get a second one. */
#pragma once

#include <stdbool.h>

#include "common/error.h"

#define CONTAINER_MONITOR_LOCK "monitor.lock"
/* The descriptor number the monitor receives the lock on. */
#define MONITOR_LOCK_FD 3
/* The read end of a pipe on which the agent that spawned the monitor writes one byte once the
 * container's cgroup is ready; the monitor touches no cgroup before (runtime/container_start.c). */
#define MONITOR_START_FD 4

/* Create and lock FOLDER/monitor.lock; *ret_fd is close-on-exec and at least 3. -EBUSY when a
 * live monitor holds it. */
int monitor_lock_take(const char *folder, int *ret_fd, struct error *err);

/* 1 when a live monitor holds FOLDER's lock, 0 when it is free, -ENOENT when no monitor was
 * ever started in FOLDER, other -errno on failure. */
int monitor_lock_probe(const char *folder);

/* True when FD is an open descriptor of FOLDER/monitor.lock (the one a spawner handed over). */
bool monitor_lock_is_fd(const char *folder, int fd);

/* In tether-monitor: keep the lock handed over on MONITOR_LOCK_FD (made close-on-exec, so the
 * container never inherits it), or take it when the monitor was started by hand, and record
 * the monitor's pid in FOLDER/monitor.pid. -EBUSY when another monitor holds the lock. */
int monitor_lock_keep(const char *folder, int *ret_fd, struct error *err);
