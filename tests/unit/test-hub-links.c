/* Links by node id (several per node while one replaces another), the summary of why links
 * ended, and the accept queue's length. */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "hub/link_index.h"
#include "hub/link_stats.h"
#include "hub/listen_socket.h"
#include "tests/unit/test.h"

static int count_under(const struct link_index *ix, const char *key)
{
	int n = 0;
	for (struct link_index_entry *e = link_index_find(ix, key, NULL); e;
	     e = link_index_find(ix, key, e))
		n++;
	return n;
}

TEST(hub_link_index_finds_every_link_of_a_node)
{
	static struct link_index ix;
	struct link_index_entry a = { 0 }, b = { 0 }, c = { 0 };
	link_index_add(&ix, &a, "mi-1");
	link_index_add(&ix, &b, "mi-2");
	link_index_add(&ix, &c, "mi-1");
	ASSERT_INT_EQ(count_under(&ix, "mi-1"), 2);
	ASSERT_INT_EQ(count_under(&ix, "mi-2"), 1);
	ASSERT_INT_EQ(count_under(&ix, "mi-3"), 0);
	link_index_remove(&ix, &a);
	link_index_remove(&ix, &a); /* twice is harmless */
	ASSERT_INT_EQ(count_under(&ix, "mi-1"), 1);
	ASSERT_TRUE(link_index_find(&ix, "mi-1", NULL) == &c);
	link_index_remove(&ix, &b);
	link_index_remove(&ix, &c);
	ASSERT_INT_EQ(count_under(&ix, "mi-1") + count_under(&ix, "mi-2"), 0);
}

TEST(hub_link_stats_say_what_changed_since_the_last_line)
{
	struct link_stats now = { 0 }, last = { 0 };
	char line[512];
	link_stats_summary(&now, &last, line, sizeof(line));
	ASSERT_STR_EQ(line, "");
	now.open = 3;
	now.welcomed_open = 2;
	now.opened = 5;
	now.welcomed = 4;
	now.ended[LINK_END_SILENT] = 1;
	now.ended_welcomed[LINK_END_SILENT] = 1;
	now.ended[LINK_END_HELLO_TIMEOUT] = 1;
	link_stats_summary(&now, &last, line, sizeof(line));
	ASSERT_STR_EQ(line, "links: 3 open, 2 welcomed; since last: 5 opened, 4 welcomed, 2 ended"
			    " (hello_timeout=1 silent=1); of welcomed links: silent=1");
	/* Nothing new: no line. */
	link_stats_summary(&now, &last, line, sizeof(line));
	ASSERT_STR_EQ(line, "");
}

static int listening_socket(int *ret_port)
{
	int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	struct sockaddr_in sa = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	socklen_t len = sizeof(sa);
	if (fd < 0 || bind(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0 || listen(fd, 4096) < 0 ||
	    getsockname(fd, (struct sockaddr *)&sa, &len) < 0)
		return -1;
	*ret_port = ntohs(sa.sin_port);
	return fd;
}

/* Connections that completed the TCP handshake within 300 ms, out of n tried at once. */
static int connections_queued(int port, int n)
{
	int fds[16], done = 0;
	struct sockaddr_in sa = { .sin_family = AF_INET, .sin_port = htons((uint16_t)port),
				  .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	for (int i = 0; i < n; i++) {
		fds[i] = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
		connect(fds[i], (struct sockaddr *)&sa, sizeof(sa));
	}
	usleep(300 * 1000);
	for (int i = 0; i < n; i++) {
		struct pollfd p = { .fd = fds[i], .events = POLLOUT };
		int soerr = 0;
		socklen_t len = sizeof(soerr);
		if (poll(&p, 1, 0) == 1 && getsockopt(fds[i], SOL_SOCKET, SO_ERROR, &soerr, &len) == 0 &&
		    soerr == 0)
			done++;
		close(fds[i]);
	}
	return done;
}

TEST(hub_listen_backlog_bounds_the_accept_queue)
{
	int port = 0, fd = listening_socket(&port);
	ASSERT_TRUE(fd >= 0);
	ASSERT_INT_EQ(listen_backlog_set(port, 2), 1);
	/* Linux queues backlog + 1 connections and drops the SYNs of the rest. */
	ASSERT_INT_EQ(connections_queued(port, 10), 3);
	close(fd);
}
