/* Who may call what. Registration carries an activation code, so over plain HTTP it is
 * accepted only from loopback in --dev mode. Operator requests are decided by their signature
 * (hub/operator_auth.h). */
#pragma once

#include <stdbool.h>

enum hub_access {
	HUB_ACCESS_OK,
	HUB_ACCESS_REGISTER_NEEDS_TLS,    /* 403 InvalidRequest */
};

bool hub_peer_is_loopback(const char *ip);
enum hub_access hub_access_check(bool is_register, const char *peer_ip, bool dev, bool tls);
