/* initProcessEnabled: the container's pid 1 is a small init instead of the command. Call in
 * the container's first process after the set-up both share (root, hostname, network,
 * ulimits, bounding set, user). Returns in a new child, which goes on to exec the command;
 * the calling process never returns: it drops every capability, sets no_new_privs and the
 * seccomp filter, closes ERROR_FD, then forwards signals to the command, reaps every orphan
 * and exits with the command's status (128 + signal when a signal ended it). */
#pragma once

#include "monitor/seccomp_profile.h"

/* CMDLINE (CMDLINE_SIZE bytes) is the monitor's argv area: the init names itself there, so
 * that the container sees "tether-init" as pid 1, not the monitor's state folder path.
 * SECCOMP is the init's own filter (the profile for no capability). */
void init_start(int error_fd, char *cmdline, size_t cmdline_size,
		const struct seccomp_program *seccomp);
