#include "agent/daemon/service_status.h"

#include <stdio.h>
#include <string.h>

#include "agent/daemon/service_notify.h"

void service_status_init(struct service_status *s, const char *hub_url, time_t now)
{
	*s = (struct service_status){ .hub_url = hub_url, .down_since = now };
	snprintf(s->reason, sizeof(s->reason), "not yet connected");
}

static void format_tasks(size_t tasks, char *buf, size_t size)
{
	snprintf(buf, size, "%zu task%s running", tasks, tasks == 1 ? "" : "s");
}

void service_status_format(const struct service_status *s, char *buf, size_t size)
{
	char tasks[48];
	format_tasks(s->tasks, tasks, sizeof(tasks));
	if (s->connected) {
		snprintf(buf, size, "Connected to %s, %s", s->hub_url, tasks);
		return;
	}
	char since[32];
	struct tm tm;
	if (!localtime_r(&s->down_since, &tm) ||
	    !strftime(since, sizeof(since), "%Y-%m-%d %H:%M:%S %Z", &tm))
		snprintf(since, sizeof(since), "%lld", (long long)s->down_since);
	snprintf(buf, size, "Hub %s unreachable since %s (%s), retrying in %.1f s; %s",
		 s->hub_url, since, s->reason, s->retry_ms / 1000.0, tasks);
}

/* READY=1 rides with the first status that follows a verdict on the hub. */
static void publish(struct service_status *s)
{
	char text[sizeof(s->sent)];
	service_status_format(s, text, sizeof(text));
	if (s->ready && !strcmp(text, s->sent))
		return;
	int r = service_notifyf("%sSTATUS=%s", s->ready ? "" : "READY=1\n", text);
	if (r < 0)
		return; /* the next change tries again */
	s->ready = true;
	memcpy(s->sent, text, sizeof(s->sent));
}

void service_status_connected(struct service_status *s, size_t tasks)
{
	s->connected = true;
	s->tasks = tasks;
	publish(s);
}

void service_status_unreachable(struct service_status *s, const char *reason, unsigned retry_ms,
				size_t tasks, time_t now)
{
	if (s->connected)
		s->down_since = now;
	s->connected = false;
	snprintf(s->reason, sizeof(s->reason), "%s", reason);
	s->retry_ms = retry_ms;
	s->tasks = tasks;
	publish(s);
}

void service_status_tasks(struct service_status *s, size_t tasks)
{
	if (tasks == s->tasks)
		return;
	s->tasks = tasks;
	if (s->ready)
		publish(s);
}
