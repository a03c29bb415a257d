/* Who may call what. Operator requests are not signed (SigV4 is not verified in this
 * version), so only peers on this host are trusted; registration carries an activation code,
 * so over plain HTTP it is accepted only from loopback in --dev mode. */
#pragma once

#include <stdbool.h>

enum hub_access {
	HUB_ACCESS_OK,
	HUB_ACCESS_OPERATOR_NOT_LOOPBACK, /* AccessDeniedException */
	HUB_ACCESS_REGISTER_NEEDS_TLS,    /* 403 InvalidRequest */
};

bool hub_peer_is_loopback(const char *ip);
enum hub_access hub_access_check(bool is_register, const char *peer_ip, bool dev, bool tls);
