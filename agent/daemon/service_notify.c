#include "agent/daemon/service_notify.h"

#include <errno.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>

#include "common/cleanup.h"

static int notify_address(const char *name, struct sockaddr_un *addr, socklen_t *ret_len)
{
	size_t len = strlen(name);
	if (name[0] != '/' && name[0] != '@')
		return -EAFNOSUPPORT; /* vsock addresses are not used by systemd on a host */
	if (len < 2 || len >= sizeof(addr->sun_path))
		return -EINVAL;
	*addr = (struct sockaddr_un){ .sun_family = AF_UNIX };
	memcpy(addr->sun_path, name, len);
	if (name[0] == '@') {
		addr->sun_path[0] = '\0';
		*ret_len = (socklen_t)(offsetof(struct sockaddr_un, sun_path) + len);
	} else {
		*ret_len = (socklen_t)(offsetof(struct sockaddr_un, sun_path) + len + 1);
	}
	return 0;
}

int service_notify(const char *state)
{
	const char *name = getenv("NOTIFY_SOCKET");
	if (!name || !name[0])
		return 0;
	struct sockaddr_un addr;
	socklen_t addr_len;
	int r = notify_address(name, &addr, &addr_len);
	if (r < 0)
		return r;
	_cleanup_close_ int fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	size_t len = strlen(state);
	ssize_t n = sendto(fd, state, len, MSG_NOSIGNAL, (struct sockaddr *)&addr, addr_len);
	if (n < 0)
		return -errno;
	return (size_t)n == len ? 1 : -EMSGSIZE;
}

int service_notifyf(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	_cleanup_free_ char *state = NULL;
	int n = vasprintf(&state, fmt, ap);
	va_end(ap);
	if (n < 0)
		return -ENOMEM;
	return service_notify(state);
}
