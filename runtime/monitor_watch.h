/* Which monitors ended and which containers started, learned in non-blocking reads however
 * many containers run: every monitor's pidfd (children and monitors adopted after an agent
 * restart alike) is in one epoll set, and a pidfd becomes readable when its process ends; the
 * state folders of containers being started are watched (inotify) for their pid file, which
 * the monitor writes once the container runs. A pidfd leaves the set when it is closed. */
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

/* Watch FOLDER until monitor_watch_forget_folder: DATA comes back from
 * monitor_watch_collect_files each time a file named NAME is written or renamed into it.
 * NAME is kept, not copied (a constant). Returns the watch's id (>= 0) or a negative errno
 * (then the caller has to look for the file itself). */
int monitor_watch_folder(struct monitor_watch *w, const char *folder, const char *name,
			 void *data);
void monitor_watch_forget_folder(struct monitor_watch *w, int id);

/* Call FN(DATA) for every watched folder whose file was written since the last call. Never
 * blocks. */
void monitor_watch_collect_files(struct monitor_watch *w, void (*fn)(void *data));

/* The epoll set itself: readable while an ended process or a written file waits to be
 * collected, so that a caller's poll can wake for it. */
int monitor_watch_fd(const struct monitor_watch *w);
