/* Tells the service manager about the daemon's state ("READY=1", "STATUS=...", "STOPPING=1")
 * as sd_notify(3) documents it: one datagram of newline-separated assignments to the
 * AF_UNIX socket named by $NOTIFY_SOCKET, a path or, with a leading '@', an abstract name.
 * Written here rather than linked from libsystemd so that the daemon does not map
 * libsystemd and the libraries it brings for this one datagram. */
#pragma once

/* 1 when sent, 0 when not run under a service manager ($NOTIFY_SOCKET unset), or -errno. */
int service_notify(const char *state);
int service_notifyf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
