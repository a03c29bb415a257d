/* The container's mounts beyond its root: the generated name files (/etc/hosts, /etc/hostname,
 * /etc/resolv.conf), volumes and tmpfs mounts, the host devices of linuxParameters.devices,
 * Docker's masked and read-only paths of /proc and /sys, and the read-only root. Runs in the
 * container's first process; dies on error. */
#pragma once

#include <stdint.h>

#include "monitor/container_setup.h"

struct prepared_mounts {
	int *tree_fds;       /* detached copies of the bind sources, in attach order */
	size_t n;
	int *device_fds;     /* detached copies of the host devices, in config order */
};

/* Before pivot_root, while host paths are reachable: a detached copy (open_tree) of every
 * bind source, with nosuid, nodev and, where asked, read-only already set, and of every host
 * device (devices_clone_host_node). */
void mounts_prepare(const struct container_setup *s, struct prepared_mounts *pm);

/* After pivot_root and /proc, /dev, /sys: attach each prepared mount (and each tmpfs) at its
 * destination, then each device at its path (a file created there when missing), all
 * resolved inside the container's root. */
void mounts_attach(const struct container_setup *s, struct prepared_mounts *pm);

/* A detached recursive copy (open_tree) of PATH, relative to DIRFD, with the MOUNT_ATTR_*
 * flags ATTRS set on all of it; dies on error. */
int mounts_clone_tree(int dirfd, const char *path, unsigned flags, uint64_t attrs);

/* Attach a detached tree onto TARGET_FD (resolved inside the root; DEST names it in the
 * message when that fails, which dies). */
void mounts_attach_tree(int tree_fd, int target_fd, const char *dest);

/* Docker's masked paths (unreadable) and read-only paths of /proc and /sys. */
void mounts_mask_kernel_paths(void);

/* Remount the root read-only (readonlyRootFilesystem); its submounts keep their own flags. */
void mounts_make_root_readonly(void);

