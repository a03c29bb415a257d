/* How the task manager's caller learns that a tick has work without waiting for its timer: one
 * epoll set holds an eventfd that image workers signal when they finish and the monitors'
 * pidfd set. Workers run on their own threads, so the caller's own wake-up (the daemon's
 * lws_cancel_service) is called under a lock that task_manager_set_wake also takes. */
#include <errno.h>
#include <stdint.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include "agent/tasks/task_manager.h"
#include "agent/tasks/task_manager_internal.h"

int tm_wake_init(struct task_manager *tm, struct error *err)
{
	tm->wake_fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	if (tm->wake_fd < 0)
		return error_set_errno(err, errno, "eventfd");
	tm->poll_fd = epoll_create1(EPOLL_CLOEXEC);
	if (tm->poll_fd < 0)
		return error_set_errno(err, errno, "epoll_create1");
	struct epoll_event ev = { .events = EPOLLIN };
	if (epoll_ctl(tm->poll_fd, EPOLL_CTL_ADD, tm->wake_fd, &ev) < 0 ||
	    epoll_ctl(tm->poll_fd, EPOLL_CTL_ADD, monitor_watch_fd(tm->watch), &ev) < 0)
		return error_set_errno(err, errno, "epoll_ctl");
	tm->wake_lock_ready = pthread_mutex_init(&tm->wake_lock, NULL) == 0;
	if (!tm->wake_lock_ready)
		return error_set(err, ENOMEM, "task manager lock");
	return 0;
}

void tm_wake_release(struct task_manager *tm)
{
	if (tm->poll_fd >= 0)
		close(tm->poll_fd);
	if (tm->wake_fd >= 0)
		close(tm->wake_fd);
	if (tm->wake_lock_ready)
		pthread_mutex_destroy(&tm->wake_lock);
}

/* Called on an image worker's thread. */
void tm_wake(void *data)
{
	struct task_manager *tm = data;
	/* Fails only when the counter is full, and then the fd is readable anyway. */
	if (write(tm->wake_fd, &(uint64_t){ 1 }, sizeof(uint64_t)) < 0)
		(void)0;
	pthread_mutex_lock(&tm->wake_lock);
	if (tm->wake)
		tm->wake(tm->wake_userdata);
	pthread_mutex_unlock(&tm->wake_lock);
}

void tm_wake_drain(struct task_manager *tm)
{
	uint64_t n;
	if (read(tm->wake_fd, &n, sizeof(n)) < 0)
		(void)0; /* EAGAIN: nothing was signalled */
}

int task_manager_fd(const struct task_manager *tm)
{
	return tm->poll_fd;
}

void task_manager_set_wake(struct task_manager *tm, void (*wake)(void *userdata),
			   void *userdata)
{
	pthread_mutex_lock(&tm->wake_lock);
	tm->wake = wake;
	tm->wake_userdata = userdata;
	pthread_mutex_unlock(&tm->wake_lock);
}
