/* The service manager sees READY=1 once a verdict on the hub is in, STATUS= lines that follow
 * the link and the task count, and a watchdog only for its own process. */
#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "agent/daemon/service_status.h"
#include "agent/daemon/service_watchdog.h"
#include "common/cleanup.h"
#include "tests/unit/test.h"

#define URL "ws://127.0.0.1:31999/v1/connect"

static int listen_notify(void)
{
	struct sockaddr_un addr = { .sun_family = AF_UNIX };
	int n = snprintf(addr.sun_path, sizeof(addr.sun_path), "%.90s/notify", test_tmpdir());
	int fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (n >= (int)sizeof(addr.sun_path) - 1 || fd < 0 ||
	    bind(fd, (struct sockaddr *)&addr, sizeof(addr)) < 0)
		return -1;
	setenv("NOTIFY_SOCKET", addr.sun_path, 1);
	return fd;
}

/* The next datagram, or "" when none is waiting. */
static const char *next_datagram(int fd)
{
	static char buf[1024];
	ssize_t n = recv(fd, buf, sizeof(buf) - 1, MSG_DONTWAIT);
	buf[n > 0 ? n : 0] = '\0';
	return buf;
}

TEST(status_ready_with_the_first_connection)
{
	_cleanup_close_ int fd = listen_notify();
	ASSERT_TRUE(fd >= 0);
	struct service_status s;
	service_status_init(&s, URL, 0);
	service_status_tasks(&s, 2);
	ASSERT_STR_EQ(next_datagram(fd), ""); /* nothing before the verdict on the hub */
	service_status_connected(&s, 3);
	ASSERT_STR_EQ(next_datagram(fd), "READY=1\nSTATUS=Connected to " URL ", 3 tasks running");
	service_status_tasks(&s, 3);
	ASSERT_STR_EQ(next_datagram(fd), "");
	service_status_tasks(&s, 1);
	ASSERT_STR_EQ(next_datagram(fd), "STATUS=Connected to " URL ", 1 task running");
	unsetenv("NOTIFY_SOCKET");
}

TEST(status_ready_with_the_first_failure_then_since_kept)
{
	_cleanup_close_ int fd = listen_notify();
	ASSERT_TRUE(fd >= 0);
	setenv("TZ", "UTC", 1);
	tzset();
	struct service_status s;
	service_status_init(&s, URL, 1700000000);
	service_status_unreachable(&s, "connection refused", 1000, 0, 1700000005);
	ASSERT_STR_EQ(next_datagram(fd),
		      "READY=1\nSTATUS=Hub " URL " unreachable since 2023-11-14 22:13:20 UTC "
		      "(connection refused), retrying in 1.0 s; 0 tasks running");
	/* Later failures keep the time the hub was first missed. */
	service_status_unreachable(&s, "connection refused", 8000, 0, 1700000030);
	ASSERT_STR_EQ(next_datagram(fd),
		      "STATUS=Hub " URL " unreachable since 2023-11-14 22:13:20 UTC "
		      "(connection refused), retrying in 8.0 s; 0 tasks running");
	service_status_connected(&s, 0);
	ASSERT_STR_EQ(next_datagram(fd), "STATUS=Connected to " URL ", 0 tasks running");
	/* A lost link counts from when it was lost. */
	service_status_unreachable(&s, "closed by the hub (1001): going away", 900, 0, 1700000100);
	ASSERT_CONTAINS(next_datagram(fd), "since 2023-11-14 22:15:00 UTC (closed by the hub");
	unsetenv("NOTIFY_SOCKET");
}

TEST(watchdog_on_for_this_process)
{
	uint64_t usec = 0;
	struct error err = { 0 };
	ASSERT_INT_EQ(service_watchdog_parse("30000000", "1234", 1234, &usec, &err), 1);
	ASSERT_INT_EQ(usec, 30000000);
	usec = 0;
	ASSERT_INT_EQ(service_watchdog_parse("2000000", NULL, 99, &usec, &err), 1);
	ASSERT_INT_EQ(usec, 2000000);
}

TEST(watchdog_off_when_unset_or_for_another_process)
{
	uint64_t usec = 7;
	struct error err = { 0 };
	ASSERT_INT_EQ(service_watchdog_parse(NULL, NULL, 1, &usec, &err), 0);
	ASSERT_INT_EQ(service_watchdog_parse("", "1", 1, &usec, &err), 0);
	ASSERT_INT_EQ(service_watchdog_parse("30000000", "4321", 1234, &usec, &err), 0);
	ASSERT_INT_EQ(usec, 7);
}

TEST(watchdog_malformed_values_refused)
{
	uint64_t usec = 0;
	struct error err = { 0 };
	ASSERT_INT_EQ(service_watchdog_parse("30s", NULL, 1, &usec, &err), -EINVAL);
	ASSERT_CONTAINS(err.message, "WATCHDOG_USEC");
	ASSERT_INT_EQ(service_watchdog_parse("0", NULL, 1, &usec, &err), -EINVAL);
	ASSERT_INT_EQ(service_watchdog_parse("1000", "me", 1, &usec, &err), -EINVAL);
	ASSERT_CONTAINS(err.message, "WATCHDOG_PID");
}
