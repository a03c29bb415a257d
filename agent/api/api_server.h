/* The agent's HTTP servers on the daemon's own libwebsockets context (no thread, no loop of
 * their own): the local API on a unix socket, root only; the task metadata endpoint on a
 * loopback TCP address for the containers; and, when asked for, the node's metrics in
 * Prometheus text on another loopback address. They answer GET (agent/api/api_answer.h); a request head larger than libwebsockets' 4 KiB buffer is closed
 * unanswered, a slow one by libwebsockets' timeouts, and neither holds the loop. */
#pragma once

#include <libwebsockets.h>

#include "agent/api/api_source.h"
#include "common/error.h"

/* Open connections each server takes at once; the next is hung up until one ends, so that
 * containers cannot take the descriptors the hub link needs. */
#define API_MAX_CONNECTIONS 32

struct api_listener;

/* The local API on the unix socket PATH (mode 0600; its folder is made 0700 when missing and
 * must not be open to group or others). PATH.lock, a pid lock, keeps a second daemon from
 * replacing the socket of a running one: -EBUSY naming the holder. */
int api_listen_unix(struct lws_context *ctx, const char *path, const struct api_source *src,
		    struct api_listener **ret, struct error *err);

/* The task metadata endpoint on ADDRESS:PORT (an IPv4 loopback address). */
int api_listen_metadata(struct lws_context *ctx, const char *address, unsigned port,
			const struct api_source *src, struct api_listener **ret,
			struct error *err);

/* The node's metrics (GET /metrics) on ADDRESS:PORT (an IPv4 loopback address). Not on the
 * metadata endpoint's address: containers of networkMode host reach that one, and the node's
 * figures are not theirs to read. */
int api_listen_metrics(struct lws_context *ctx, const char *address, unsigned port,
		       const struct api_source *src, struct api_listener **ret, struct error *err);

/* After the context is destroyed (it owns the vhosts): removes the socket and frees. */
void api_listener_free(struct api_listener *l);
