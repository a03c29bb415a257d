/* The length of the hub's accept queue. libwebsockets 4.1 listens with SOMAXCONN (4096) and
 * offers no setting. A queue that long defeats a reconnection storm on a busy hub: an agent
 * gives up on a websocket handshake that gets no answer in 5 s (libwebsockets' default), so
 * when the hub admits a few hundred agents a second, the connections at the back of 4,096
 * are dead by the time the hub accepts them, and it spends its time on handshakes nobody
 * waits for. With a short queue the excess waits in the agents' own SYN retries and
 * backoff, and every connection the hub accepts is fresh. */
#pragma once

#define HUB_LISTEN_BACKLOG 256

/* listen() again, with backlog, on every listening TCP socket of this process bound to port.
 * Returns how many sockets were changed, or a negative errno. */
int listen_backlog_set(int port, int backlog);
