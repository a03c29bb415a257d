/* Signalling a running container by its pidfd (no pid reuse races once opened). */
#pragma once

#include <sys/types.h>

/* Open a pidfd for PID (O_CLOEXEC by the kernel); -errno on failure. */
int container_pidfd_open(pid_t pid);
/* Send SIG through the pidfd; -errno on failure (-ESRCH once the process is gone). */
int container_pidfd_signal(int pidfd, int sig);
