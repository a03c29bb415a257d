/* The hub's libwebsockets server: one vhost serving the operator API (POST /), registration
 * (POST /v1/register) and the agents' websocket (/v1/connect, subprotocol tether.v1). */
#pragma once

#include <stdbool.h>

#include "common/error.h"
#include "hub/listen_socket.h"
#include "hub/store/store.h"

struct hub_server_config {
	struct listen_address listen;
	bool dev;            /* unsigned operator requests accepted from loopback */
	const char *tls_cert, *tls_key;
	const char *db_path; /* where the operator API's access keys are sealed (hub/access_keys.h) */
	unsigned heartbeat_seconds; /* liveness period (protocol/liveness.h); 0: the default */
	/* How long a disconnected node's service tasks still count before they are replaced
	 * elsewhere (hub/services/service_reconcile.h); 0: the default, 600 s. */
	unsigned service_disconnect_grace;
};

struct hub_server;

int hub_server_new(const struct hub_server_config *cfg, struct hub_store *store,
		   struct hub_server **ret, struct error *err);
/* "epoll" or "poll": how the event loop waits for its sockets. */
const char *hub_server_event_backend(const struct hub_server *srv);
/* The accept queue's length (hub/listen_socket.h), 0 when it could not be set. */
int hub_server_accept_queue(const struct hub_server *srv);
/* Serve until hub_server_stop; returns 0 after a clean stop. */
int hub_server_run(struct hub_server *srv);
/* Async-signal-safe: ask the loop to end. */
void hub_server_stop(struct hub_server *srv);
void hub_server_free(struct hub_server *srv);
/* Read the TLS certificate and key files again in the event loop (async-signal-safe: called
 * from the SIGHUP handler); a pair that does not load leaves the served one in place. */
void hub_server_reload_tls(struct hub_server *srv);

struct lws;
/* The HTTP requests' state (hub/http_front.h) of the server that accepted wsi. */
struct http_front *hub_server_http_front(struct lws *wsi);
/* The listener's TLS context, as libwebsockets made it (hub/tls_reload.h). */
void hub_server_tls_made(struct lws *wsi, void *ssl_ctx);
