/* The epoll set of monitor pidfds, with one inotify descriptor in it for the folders of
 * containers being started. */
#include <errno.h>
#include <limits.h>
#include <stdalign.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/inotify.h>
#include <unistd.h>

#include "runtime/monitor_watch.h"

#define BATCH 64

struct folder_watch {
	int wd;
	const char *name;
	void *data;
};

struct monitor_watch {
	int epfd;
	int inotify_fd;
	struct folder_watch *folders;
	size_t n_folders, cap_folders;
};

int monitor_watch_new(struct monitor_watch **ret, struct error *err)
{
	struct monitor_watch *w = calloc(1, sizeof(*w));
	if (!w)
		return error_set(err, ENOMEM, "monitor watch");
	w->inotify_fd = -1;
	w->epfd = epoll_create1(EPOLL_CLOEXEC);
	if (w->epfd < 0) {
		int r = error_set_errno(err, errno, "epoll_create1");
		free(w);
		return r;
	}
	/* The inotify descriptor's events carry the watch itself as their data, which no pidfd
	 * can (pidfds carry their caller's data). */
	w->inotify_fd = inotify_init1(IN_CLOEXEC | IN_NONBLOCK);
	struct epoll_event ev = { .events = EPOLLIN, .data.ptr = w };
	if (w->inotify_fd < 0 || epoll_ctl(w->epfd, EPOLL_CTL_ADD, w->inotify_fd, &ev) < 0) {
		int r = error_set_errno(err, errno, "inotify");
		monitor_watch_free(w);
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
	if (w->inotify_fd >= 0)
		close(w->inotify_fd);
	free(w->folders);
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
			if (ev[i].data.ptr != w)
				fn(ev[i].data.ptr);
	} while (n == BATCH);
}

int monitor_watch_folder(struct monitor_watch *w, const char *folder, const char *name,
			 void *data)
{
	if (w->n_folders == w->cap_folders) {
		size_t cap = w->cap_folders ? w->cap_folders * 2 : 16;
		struct folder_watch *grown = realloc(w->folders, cap * sizeof(*grown));
		if (!grown)
			return -ENOMEM;
		w->folders = grown;
		w->cap_folders = cap;
	}
	/* A rename into the folder (an atomic write) or a file closed after writing. */
	int wd = inotify_add_watch(w->inotify_fd, folder,
				   IN_MOVED_TO | IN_CLOSE_WRITE | IN_ONLYDIR | IN_MASK_CREATE);
	if (wd < 0)
		return -errno;
	w->folders[w->n_folders++] = (struct folder_watch){ .wd = wd, .name = name, .data = data };
	return wd;
}

static struct folder_watch *find_folder(struct monitor_watch *w, int wd)
{
	for (size_t i = 0; i < w->n_folders; i++)
		if (w->folders[i].wd == wd)
			return &w->folders[i];
	return NULL;
}

void monitor_watch_forget_folder(struct monitor_watch *w, int id)
{
	struct folder_watch *f = find_folder(w, id);
	if (!f)
		return;
	/* Fails when the folder is gone, and then the kernel has dropped the watch already. */
	(void)inotify_rm_watch(w->inotify_fd, id);
	*f = w->folders[--w->n_folders];
}

void monitor_watch_collect_files(struct monitor_watch *w, void (*fn)(void *data))
{
	alignas(struct inotify_event) char buf[16 * (sizeof(struct inotify_event) + NAME_MAX + 1)];
	ssize_t n;
	while ((n = read(w->inotify_fd, buf, sizeof(buf))) > 0) {
		for (char *p = buf; p < buf + n;) {
			const struct inotify_event *e = (const struct inotify_event *)p;
			p += sizeof(*e) + e->len;
			if (e->mask & IN_Q_OVERFLOW) {
				/* Events were lost: every folder may have its file now. */
				for (size_t i = 0; i < w->n_folders; i++)
					fn(w->folders[i].data);
				continue;
			}
			struct folder_watch *f = e->len ? find_folder(w, e->wd) : NULL;
			if (f && !strcmp(e->name, f->name))
				fn(f->data);
		}
	}
}

int monitor_watch_fd(const struct monitor_watch *w)
{
	return w->epfd;
}
