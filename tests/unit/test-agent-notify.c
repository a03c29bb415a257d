/* The service manager notification, against real AF_UNIX datagram sockets. */
#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "agent/daemon/service_notify.h"
#include "common/cleanup.h"
#include "tests/unit/test.h"

/* Binds a datagram socket to name ("/path" or "@abstract"). */
static int listen_at(const char *name)
{
	int fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	struct sockaddr_un addr = { .sun_family = AF_UNIX };
	size_t len = strlen(name);
	memcpy(addr.sun_path, name, len);
	socklen_t addr_len = (socklen_t)(offsetof(struct sockaddr_un, sun_path) + len);
	if (name[0] == '@')
		addr.sun_path[0] = '\0';
	else
		addr_len++;
	if (fd >= 0 && bind(fd, (struct sockaddr *)&addr, addr_len) < 0) {
		close(fd);
		return -1;
	}
	return fd;
}

static void receive(int fd, char *buf, size_t size)
{
	ssize_t n = recv(fd, buf, size - 1, MSG_DONTWAIT);
	buf[n > 0 ? n : 0] = '\0';
}

TEST(notify_without_socket_sends_nothing)
{
	unsetenv("NOTIFY_SOCKET");
	ASSERT_INT_EQ(service_notify("READY=1"), 0);
}

TEST(notify_sends_one_datagram_to_a_path)
{
	char path[512];
	snprintf(path, sizeof(path), "%s/notify", test_tmpdir());
	_cleanup_close_ int fd = listen_at(path);
	ASSERT_TRUE(fd >= 0);
	setenv("NOTIFY_SOCKET", path, 1);
	ASSERT_INT_EQ(service_notify("READY=1\nSTATUS=Connecting"), 1);
	ASSERT_INT_EQ(service_notifyf("STATUS=Connected to %s", "ws://127.0.0.1:1"), 1);
	unsetenv("NOTIFY_SOCKET");
	char buf[256];
	receive(fd, buf, sizeof(buf));
	ASSERT_STR_EQ(buf, "READY=1\nSTATUS=Connecting");
	receive(fd, buf, sizeof(buf));
	ASSERT_STR_EQ(buf, "STATUS=Connected to ws://127.0.0.1:1");
}

TEST(notify_reaches_an_abstract_socket)
{
	char name[64];
	snprintf(name, sizeof(name), "@tether-notify-test-%d", (int)getpid());
	_cleanup_close_ int fd = listen_at(name);
	ASSERT_TRUE(fd >= 0);
	setenv("NOTIFY_SOCKET", name, 1);
	ASSERT_INT_EQ(service_notify("STOPPING=1"), 1);
	unsetenv("NOTIFY_SOCKET");
	char buf[64];
	receive(fd, buf, sizeof(buf));
	ASSERT_STR_EQ(buf, "STOPPING=1");
}

TEST(notify_refuses_other_addresses)
{
	setenv("NOTIFY_SOCKET", "vsock:2:1234", 1);
	ASSERT_INT_EQ(service_notify("READY=1"), -EAFNOSUPPORT);
	setenv("NOTIFY_SOCKET", "/nonexistent-tether-dir/notify", 1);
	ASSERT_INT_EQ(service_notify("READY=1"), -ENOENT);
	unsetenv("NOTIFY_SOCKET");
}
