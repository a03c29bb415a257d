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

/* The steps the container's command and its health checks (monitor/health_check.c) share, so
 * that a check runs exactly as the command does. In the container's namespaces, as root:
 * ulimits, the bounding set, the user (uid, gid, groups from the image's files). */
void container_setup_identity(const struct container_config *cfg);
/* Then: capabilities and no_new_privs, the working directory, the seccomp filter, and execve
 * of ARGV with the container's environment (a bare name looked up in its PATH). */
_Noreturn void container_finish_and_exec(const struct container_config *cfg,
					 const struct seccomp_program *seccomp, char *const argv[]);
