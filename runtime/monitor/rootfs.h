/* The container's root file system: overlay of the image layers, pivot_root, /proc, a minimal
 * /dev and a read-only /sys. Runs in the child only; dies on error (setup_die). */
#pragma once

#include "runtime/container_config.h"

_Noreturn void setup_die(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

void rootfs_setup(const struct container_config *cfg, const char *rootfs, const char *upper,
		  const char *work);
