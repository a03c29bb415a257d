/* The websocket link to the hub: one client-only libwebsockets context, one connection at a
 * time, a send queue drained from the WRITEABLE callback, messages reassembled across
 * fragments up to FRAME_MAX_SIZE, liveness by ping/pong (protocol/liveness.h) and reconnection
 * with exponential backoff and jitter. The link knows nothing of the protocol's meaning: it
 * hands whole messages up and sends what it is given. */
#pragma once

#include <stddef.h>

#include <libwebsockets.h>

#include "common/error.h"

struct hub_link_callbacks {
	/* The websocket is up (the hub's challenge comes next). */
	void (*on_established)(void *userdata);
	/* One whole text message. */
	void (*on_message)(void *userdata, const char *data, size_t size);
	/* The connection ended or could not be made: close_code is the hub's close code (0 when
	 * none was received), reason its reason or the connection error. The retry is already
	 * scheduled, retry_ms from now. */
	void (*on_closed)(void *userdata, int close_code, const char *reason, unsigned retry_ms);
	/* lws_cancel_service() woke the loop (signal handlers use it), or a descriptor given to
	 * hub_link_watch_fd became readable. */
	void (*on_wakeup)(void *userdata);
};

struct hub_link_config {
	const char *connect_url;   /* ws:// or wss:// */
	const char *ca_file;       /* NULL: system CA bundle */
	struct hub_link_callbacks callbacks;
	void *userdata;
};

struct hub_link;

int hub_link_new(const struct hub_link_config *config, struct hub_link **ret, struct error *err);
/* Destroys the lws context too. */
void hub_link_free(struct hub_link *link);

struct lws_context *hub_link_context(struct hub_link *link);

/* Start connecting now (later attempts are scheduled by the link itself). */
void hub_link_connect_now(struct hub_link *link);

/* The handshake succeeded: the next lost link retries from the shortest delay again. */
void hub_link_reset_backoff(struct hub_link *link);

/* Wake the loop (on_wakeup) whenever FD is readable, until the link is freed; on_wakeup has
 * to make it unreadable (read it) before the loop polls again. FD stays the caller's: the
 * context watches a duplicate of it. */
int hub_link_watch_fd(struct hub_link *link, int fd, struct error *err);

/* The hub's heartbeat period (its welcome says it): ping after that long without hearing from
 * the hub, hang up after three periods. 20 s until set. */
void hub_link_set_heartbeat(struct hub_link *link, unsigned seconds);

/* Queue one text message; -ENOTCONN without a connection, -ENOBUFS when the queue is full. */
int hub_link_send(struct hub_link *link, const char *text, size_t size);

/* Close the current connection with a code and reason (the retry follows as usual). */
void hub_link_close(struct hub_link *link, int close_code, const char *reason);
