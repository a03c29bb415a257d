#include <string.h>

#include "hub/access.h"

bool hub_peer_is_loopback(const char *ip)
{
	return !strncmp(ip, "127.", 4) || !strcmp(ip, "::1") || !strncmp(ip, "::ffff:127.", 11);
}

enum hub_access hub_access_check(bool is_register, const char *peer_ip, bool dev, bool tls)
{
	if (!is_register) /* operator requests: hub/operator_auth.h */
		return HUB_ACCESS_OK;
	return tls || (dev && hub_peer_is_loopback(peer_ip)) ? HUB_ACCESS_OK
							     : HUB_ACCESS_REGISTER_NEEDS_TLS;
}
