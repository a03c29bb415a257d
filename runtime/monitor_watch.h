/* Which monitors ended, learned in one non-blocking epoll_wait however many containers run:
 * every monitor's pidfd (children and monitors adopted after an agent restart alike) is in one
 * epoll set, and a pidfd becomes readable when its process ends. A pidfd leaves the set when
 * it is closed. */
#pragma once

#include "common/error.h"

struct monitor_watch;

int monitor_watch_new(struct monitor_watch **ret, struct error *err);
void monitor_watch_free(struct monitor_watch *w);

/* Watch PIDFD; DATA comes back from monitor_watch_collect once its process ended. */
int monitor_watch_add(struct monitor_watch *w, int pidfd, void *data);

/* Call FN(DATA) once for every watched process that has ended since the last call. Never
 * blocks. */
void monitor_watch_collect(struct monitor_watch *w, void (*fn)(void *data));

/* The epoll set itself: readable while an ended process waits to be collected, so that a
 * caller's poll can wake for it. */
int monitor_watch_fd(const struct monitor_watch *w);
