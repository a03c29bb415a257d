/* The hub's listening socket, which libwebsockets creates and keeps private: what address it
 * listens on, and the length of its accept queue.
 *
 * Accept queue: libwebsockets 4.1 listens with SOMAXCONN (4096) and offers no setting. A
 * queue that long defeats a reconnection storm on a busy hub: an agent gives up on a
 * websocket handshake that gets no answer in 5 s (libwebsockets' default), so when the hub
 * admits a few hundred agents a second, the connections at the back of 4,096 are dead by the
 * time the hub accepts them, and it spends its time on handshakes nobody waits for. With a
 * short queue the excess waits in the agents' own SYN retries and backoff, and every
 * connection the hub accepts is fresh. */
#pragma once

#include <netinet/in.h>
#include <sys/socket.h>

#include "common/error.h"

#define HUB_LISTEN_BACKLOG 256

/* An IP literal and a port, as given to --listen. */
struct listen_address {
	char text[INET6_ADDRSTRLEN]; /* "127.0.0.1", "::1" (no brackets) */
	int family;                  /* AF_INET or AF_INET6 */
	struct in6_addr ip;          /* the first 4 bytes hold an IPv4 address */
	int port;
};

/* "127.0.0.1:8080", "0.0.0.0:8080", "[::1]:8080" or "[::]:8080". Host names and interface
 * names are refused: the hub binds exactly the address it is given. */
int listen_address_parse(const char *arg, struct listen_address *ret, struct error *err);

/* 0 when every listening TCP socket of this process on a->port is bound to exactly a's
 * address (and there is one), -EADDRNOTAVAIL with the address found otherwise. */
int listen_address_check(const struct listen_address *a, struct error *err);

/* listen() again, with backlog, on every listening TCP socket of this process bound to port.
 * Returns how many sockets were changed, or a negative errno. */
int listen_backlog_set(int port, int backlog);
