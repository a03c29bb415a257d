/* The container's root file system: overlay of the image layers, pivot_root, /proc, a minimal
 * /dev, a read-only /sys, the mounts of mounts.c, and a read-only root when asked. Runs in the
 * child only; dies on error (setup_die). */
#pragma once

#include "monitor/container_setup.h"

void rootfs_setup(const struct container_setup *s);
