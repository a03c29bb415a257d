#include <string.h>

#include "hub/access.h"

bool hub_peer_is_loopback(const char *ip)
{
	return !strncmp(ip, "127.", 4) || !strcmp(ip, "::1") || !strncmp(ip, "::ffff:127.", 11);
}

enum hub_access hub_access_check(bool is_register, const char *peer_ip, bool dev, bool tls)
{
	bool loopback = hub_peer_is_loopback(peer_ip);
	if (is_register)
		return tls || (dev && loopback) ? HUB_ACCESS_OK : HUB_ACCESS_REGISTER_NEEDS_TLS;
	return loopback ? HUB_ACCESS_OK : HUB_ACCESS_OPERATOR_NOT_LOOPBACK;
}
