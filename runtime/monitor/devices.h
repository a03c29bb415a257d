/* The devices a container reaches: Docker's default nodes in its /dev, and the cgroup device
 * filter that allows those and nothing else.
 * The mounts the container can write in are all nodev, so a node it makes does not open even
 * where the filter is missing (docs/security.md). */
#pragma once

#include "common/error.h"
#include "runtime/container_config.h"

/* In the monitor, before the clone: gives the container's cgroup the filter built from the
 * defaults. Where no filter can be attached, the container starts with a warning in the
 * monitor's log and without MKNOD among its capabilities. */
int devices_restrict_cgroup(int cgroup_fd, struct container_config *cfg, struct error *err);

/* On the fresh /dev tmpfs: the default nodes, each bound onto itself, then /dev made nodev.
 * The binds keep the default nodes usable; nothing made in /dev later opens. Dies on error. */
void devices_make_default_nodes(void);
