/* The epoll set of monitor pidfds. */
#include <errno.h>
#include <stdlib.h>
#include <sys/epoll.h>
#include <unistd.h>

#include "runtime/monitor_watch.h"

#define BATCH 64

struct monitor_watch {
	int epfd;
};

int monitor_watch_new(struct monitor_watch **ret, struct error *err)
{
	struct monitor_watch *w = calloc(1, sizeof(*w));
	if (!w)
		return error_set(err, ENOMEM, "monitor watch");
	w->epfd = epoll_create1(EPOLL_CLOEXEC);
	if (w->epfd < 0) {
		int r = error_set_errno(err, errno, "epoll_create1");
		free(w);
		return r;
	}
	*ret = w;
	return 0;
}

void monitor_watch_free(struct monitor_watch *w)
{
	if (!w)
		return;
	close(w->epfd);
	free(w);
}

int monitor_watch_add(struct monitor_watch *w, int pidfd, void *data)
{
	/* One-shot: an ended process is reported once, however long its pidfd stays open. */
	struct epoll_event ev = { .events = EPOLLIN | EPOLLONESHOT, .data.ptr = data };
	return epoll_ctl(w->epfd, EPOLL_CTL_ADD, pidfd, &ev) < 0 ? -errno : 0;
}

void monitor_watch_collect(struct monitor_watch *w, void (*fn)(void *data))
{
	struct epoll_event ev[BATCH];
	int n;
	do {
		n = epoll_wait(w->epfd, ev, BATCH, 0);
		for (int i = 0; i < n; i++)
			fn(ev[i].data.ptr);
	} while (n == BATCH);
}

int monitor_watch_fd(const struct monitor_watch *w)
{
	return w->epfd;
}
