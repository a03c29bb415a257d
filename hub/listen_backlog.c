#include <dirent.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdint.h>
#include <sys/socket.h>

#include "common/parse.h"
#include "hub/listen_backlog.h"

static int port_of(int fd)
{
	struct sockaddr_storage ss;
	socklen_t len = sizeof(ss);
	if (getsockname(fd, (struct sockaddr *)&ss, &len) < 0)
		return -1;
	if (ss.ss_family == AF_INET)
		return ntohs(((struct sockaddr_in *)&ss)->sin_port);
	if (ss.ss_family == AF_INET6)
		return ntohs(((struct sockaddr_in6 *)&ss)->sin6_port);
	return -1;
}

int listen_backlog_set(int port, int backlog)
{
	/* The listening socket is private to libwebsockets: find it among our descriptors. */
	DIR *d = opendir("/proc/self/fd");
	if (!d)
		return -errno;
	int changed = 0;
	struct dirent *de;
	while ((de = readdir(d))) {
		uint64_t v;
		if (parse_u64(de->d_name, 0, INT32_MAX, &v) < 0 || (int)v == dirfd(d))
			continue;
		int fd = (int)v, listening = 0;
		socklen_t len = sizeof(listening);
		if (getsockopt(fd, SOL_SOCKET, SO_ACCEPTCONN, &listening, &len) < 0 || !listening ||
		    port_of(fd) != port)
			continue;
		if (listen(fd, backlog) == 0)
			changed++;
	}
	closedir(d);
	return changed;
}
