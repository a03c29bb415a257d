/* The container's first process, between clone3 and execve: runs in the new namespaces and
 * cgroup, dies on the first error after reporting it on ERROR_FD (close-on-exec, so the
 * monitor reads EOF once execve succeeded). */
#pragma once

#include "container/container_config.h"
#include "monitor/seccomp_profile.h"

struct container_setup {
	const struct container_config *cfg;
	const char *folder;   /* the container's state folder (its generated /etc files) */
	const char *rootfs;   /* mount point of the overlay */
	const char *upper;    /* overlay upper and work folders */
	const char *work;
	int error_fd;
	int stdin_fd;
	int stdout_fd;        /* -1: keep the monitor's stdout */
	int stderr_fd;        /* -1: keep the monitor's stderr */
	char *cmdline;        /* the monitor's argv strings, what /proc/PID/cmdline shows; the */
	size_t cmdline_size;  /* init writes its own name there */
	struct seccomp_program seccomp;      /* the command's filter (its capabilities) */
	struct seccomp_program init_seccomp; /* the init's (no capability), when there is one */
};

_Noreturn void container_setup_and_exec(const struct container_setup *setup);
