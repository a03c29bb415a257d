/* The devices a container reaches: Docker's default nodes in its /dev, the host devices of
 * linuxParameters.devices, and the cgroup device filter that allows those and nothing else.
 * The mounts the container can write in are all nodev, so a node it makes does not open even
 * where the filter is missing (docs/security.md). */
#pragma once

#include "common/error.h"
#include "container/container_config.h"

/* In the monitor, before the clone: finds each host device (it must be a character or block
 * device; the error names it otherwise), filling its type and rdev, and gives the container's
 * cgroup the filter built from the defaults and those devices. Where no filter can be
 * attached, a container with devices is refused; one without starts with a warning in the
 * monitor's log and without MKNOD among its capabilities. */
int devices_restrict_cgroup(int cgroup_fd, struct container_config *cfg, struct error *err);

/* In the container's first process, before pivot_root while the host's paths are reachable:
 * a detached copy of the host's node (read-only, nosuid, noexec), checked to be the node the
 * filter was built for. Dies on error. */
int devices_clone_host_node(const struct container_device *d);

/* On the fresh /dev tmpfs: the default nodes, each bound onto itself, then /dev made nodev.
 * The binds keep the default nodes usable; nothing made in /dev later opens. Dies on error. */
void devices_make_default_nodes(void);
