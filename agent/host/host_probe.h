/* Small probes of what this kernel and system offer to containers. Each returns 0 when the
 * feature is there, or -errno with what is missing in err. */
#pragma once

#include <stdbool.h>

#include "common/error.h"

/* clone3(CLONE_INTO_CGROUP) of a child into this process's own cgroup (kernel 5.7+). */
int host_probe_clone_into_cgroup(struct error *err);
/* The kernel knows overlayfs (/proc/filesystems). */
int host_probe_overlayfs(struct error *err);
/* seccomp in filter mode (SECCOMP_SET_MODE_FILTER), asked with SECCOMP_GET_ACTION_AVAIL. */
int host_probe_seccomp_filter(struct error *err);
/* A child can make a user namespace. */
int host_probe_user_namespaces(struct error *err);
/* systemd is PID 1 (sd_booted(3)'s test: /run/systemd/system exists). */
bool host_probe_systemd_booted(void);
/* Whether this process's cgroup (its path into *ret_path) carries systemd's delegation mark
 * (the trusted.delegate attribute of systemd 251+), as the cgroup of a unit with
 * Delegate=yes does. */
int host_probe_delegated_cgroup(char **ret_path, bool *ret_delegated, struct error *err);

/* Parsers of the files the probes read, apart for the tests. */
/* Whether the text of /proc/filesystems lists file system NAME. */
bool host_filesystems_list_has(const char *text, const char *name);
/* The cgroup v2 path ("/system.slice/tether.service") of the "0::PATH" line of a
 * /proc/PID/cgroup text; -ENOENT when there is none. */
int host_proc_cgroup_v2_path(const char *text, char **ret_path);
