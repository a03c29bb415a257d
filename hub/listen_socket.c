#include <arpa/inet.h>
#include <dirent.h>
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "common/cleanup.h"
#include "common/parse.h"
#include "hub/listen_socket.h"

int listen_address_parse(const char *arg, struct listen_address *ret, struct error *err)
{
	struct listen_address a = { 0 };
	const char *colon = strrchr(arg, ':');
	uint64_t port;
	if (!colon || parse_u64(colon + 1, 1, 65535, &port) < 0)
		return error_set(err, EINVAL, "--listen %s: not ADDRESS:PORT with a port 1-65535", arg);
	const char *host = arg;
	size_t len = (size_t)(colon - arg);
	if (len >= 2 && host[0] == '[' && host[len - 1] == ']') {
		host++;
		len -= 2;
	}
	if (len == 0 || len >= sizeof(a.text))
		return error_set(err, EINVAL, "--listen %s: no IP address", arg);
	memcpy(a.text, host, len);
	a.text[len] = '\0';
	if (inet_pton(AF_INET, a.text, &a.ip) == 1 && host == arg)
		a.family = AF_INET;
	else if (inet_pton(AF_INET6, a.text, &a.ip) == 1 && host != arg)
		a.family = AF_INET6;
	else
		return error_set(err, EINVAL,
				 "--listen %s: the address must be an IPv4 address or an IPv6 address in"
				 " brackets (127.0.0.1:8080, [::1]:8080)",
				 arg);
	a.port = (int)port;
	*ret = a;
	return 0;
}

/* Calls fn for every listening TCP socket of this process bound to port; stops at the first
 * negative return. Returns the number of sockets seen or that negative value. */
static int each_listening_socket(int port, int (*fn)(int fd, void *userdata), void *userdata)
{
	/* The listening socket is private to libwebsockets: find it among our descriptors. */
	_cleanup_closedir_ DIR *d = opendir("/proc/self/fd");
	if (!d)
		return -errno;
	int seen = 0;
	struct dirent *de;
	while ((de = readdir(d))) {
		uint64_t v;
		if (parse_u64(de->d_name, 0, INT32_MAX, &v) < 0 || (int)v == dirfd(d))
			continue;
		int fd = (int)v, listening = 0;
		socklen_t len = sizeof(listening);
		struct sockaddr_storage ss;
		socklen_t sslen = sizeof(ss);
		if (getsockopt(fd, SOL_SOCKET, SO_ACCEPTCONN, &listening, &len) < 0 || !listening ||
		    getsockname(fd, (struct sockaddr *)&ss, &sslen) < 0)
			continue;
		int bound_port = ss.ss_family == AF_INET ? ntohs(((struct sockaddr_in *)&ss)->sin_port)
			       : ss.ss_family == AF_INET6 ? ntohs(((struct sockaddr_in6 *)&ss)->sin6_port)
							  : -1;
		if (bound_port != port)
			continue;
		int r = fn(fd, userdata);
		if (r < 0)
			return r;
		seen++;
	}
	return seen;
}

struct address_check {
	const struct listen_address *want;
	char found[INET6_ADDRSTRLEN + 8];
};

static int check_one(int fd, void *userdata)
{
	struct address_check *c = userdata;
	struct sockaddr_storage ss;
	socklen_t len = sizeof(ss);
	if (getsockname(fd, (struct sockaddr *)&ss, &len) < 0)
		return -errno;
	const void *ip = ss.ss_family == AF_INET ? (const void *)&((struct sockaddr_in *)&ss)->sin_addr
						 : (const void *)&((struct sockaddr_in6 *)&ss)->sin6_addr;
	size_t ip_len = ss.ss_family == AF_INET ? 4 : 16;
	inet_ntop(ss.ss_family, ip, c->found, sizeof(c->found));
	if (ss.ss_family != c->want->family || memcmp(ip, &c->want->ip, ip_len) != 0)
		return -EADDRNOTAVAIL;
	return 0;
}

int listen_address_check(const struct listen_address *a, struct error *err)
{
	struct address_check c = { .want = a, .found = "nothing" };
	int r = each_listening_socket(a->port, check_one, &c);
	if (r == 0 || r == -EADDRNOTAVAIL)
		return error_set(err, EADDRNOTAVAIL, "asked to listen on %s port %d, but bound %s",
				 a->text, a->port, c.found);
	if (r < 0)
		return error_set_errno(err, -r, "find the listening socket");
	return 0;
}

static int relisten(int fd, void *userdata)
{
	int backlog = *(int *)userdata;
	return listen(fd, backlog) == 0 ? 0 : -errno;
}

int listen_backlog_set(int port, int backlog)
{
	return each_listening_socket(port, relisten, &backlog);
}
