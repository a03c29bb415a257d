/* The daemon's connection state, kept in the meta table of state.db so that `tether status`
 * can show it while the daemon runs or after it stopped. */
#pragma once

#include "agent/state/store.h"

#define META_CONNECTION "connection"           /* "connected" or "disconnected" */
#define META_CONNECTION_SINCE "connection_since" /* unix seconds */
#define META_LAST_ERROR "last_error"
#define META_HUB_URL "hub_connect_url"
#define META_API_SOCKET "api_socket"             /* the local API's socket; "" when off */

/* Failures are ignored: the state is informational and must not stop the daemon. */
void daemon_state_connected(struct store *s, const char *connect_url);
void daemon_state_disconnected(struct store *s, const char *why);
