#include "agent/daemon/service_watchdog.h"

#include <errno.h>
#include <stdlib.h>
#include <unistd.h>

#include "agent/daemon/service_notify.h"
#include "common/parse.h"

int service_watchdog_parse(const char *usec, const char *pid, pid_t self, uint64_t *ret_usec,
			   struct error *err)
{
	if (!usec || !usec[0])
		return 0;
	uint64_t interval = 0;
	if (parse_u64(usec, 1, UINT64_MAX - 1, &interval) < 0)
		return error_set(err, EINVAL, "WATCHDOG_USEC is not a positive number: '%s'", usec);
	if (pid && pid[0]) {
		uint64_t watched = 0;
		if (parse_u64(pid, 1, INT32_MAX, &watched) < 0)
			return error_set(err, EINVAL, "WATCHDOG_PID is not a process id: '%s'", pid);
		if ((pid_t)watched != self)
			return 0;
	}
	*ret_usec = interval;
	return 1;
}

static void keep_alive(lws_sorted_usec_list_t *sul)
{
	struct service_watchdog *w = lws_container_of(sul, struct service_watchdog, sul);
	(void)service_notify("WATCHDOG=1");
	lws_sul_schedule(w->context, 0, &w->sul, keep_alive, (lws_usec_t)(w->interval_usec / 2));
}

int service_watchdog_start(struct service_watchdog *w, struct lws_context *context,
			   struct error *err)
{
	*w = (struct service_watchdog){ .context = context };
	uint64_t interval = 0;
	int r = service_watchdog_parse(getenv("WATCHDOG_USEC"), getenv("WATCHDOG_PID"), getpid(),
				       &interval, err);
	unsetenv("WATCHDOG_USEC");
	unsetenv("WATCHDOG_PID");
	if (r <= 0)
		return r;
	w->interval_usec = interval;
	(void)service_notify("WATCHDOG=1");
	lws_sul_schedule(context, 0, &w->sul, keep_alive, (lws_usec_t)(interval / 2));
	return 1;
}

void service_watchdog_stop(struct service_watchdog *w)
{
	if (w->interval_usec && w->context)
		lws_sul_cancel(&w->sul);
	w->interval_usec = 0;
}
