/* What the daemon tells its service manager: READY=1 once, then a STATUS= line that says what
 * it does ("Connected to URL, 3 tasks running", "Hub URL unreachable since TIME (REASON),
 * retrying in 8.0 s; 3 tasks running"), sent again only when its text changes.
 *
 * READY=1 goes with the first verdict on the hub: the first connection made, or the first
 * attempt failed. By then the state is open, the stored tasks are re-adopted and the cgroup
 * checks have passed (the daemon does those before it starts the loop), so the agent takes
 * tasks; a hub that is down does not keep the unit "activating". */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <time.h>

struct service_status {
	const char *hub_url;
	bool ready;        /* READY=1 sent */
	bool connected;
	size_t tasks;      /* tasks running on this node */
	time_t down_since; /* when the link was last lost (or the agent started without it) */
	char reason[200];  /* why the last attempt failed */
	unsigned retry_ms; /* the delay the link chose after that failure */
	char sent[512];    /* the STATUS= text last sent */
};

void service_status_init(struct service_status *s, const char *hub_url, time_t now);

/* The hub welcomed the agent. */
void service_status_connected(struct service_status *s, size_t tasks);
/* A connection ended or could not be made; the next attempt is retry_ms away. */
void service_status_unreachable(struct service_status *s, const char *reason, unsigned retry_ms,
				size_t tasks, time_t now);
/* The count of running tasks, as often as the daemon likes: a datagram only on change. */
void service_status_tasks(struct service_status *s, size_t tasks);

/* The STATUS= text for s (without "STATUS="). */
void service_status_format(const struct service_status *s, char *buf, size_t size);
