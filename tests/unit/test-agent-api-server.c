/* The local API's server on a libwebsockets context of its own, driven from the test's thread:
 * the socket's mode, the answers as a client reads them, and the limit on connections. */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <unistd.h>

#include "agent/api/api_server.h"
#include "agent/cli/api_client.h"
#include "tests/unit/test.h"

static void node(void *userdata, struct api_node *ret)
{
	(void)userdata;
	*ret = (struct api_node){ .cluster = "default", .node_id = "node-1",
				  .unsent_state_changes = -1 };
}

static int no_tasks(void *userdata, api_task_fn fn, void *fn_userdata)
{
	(void)userdata;
	(void)fn;
	(void)fn_userdata;
	return 0;
}

static const struct api_source src = { .node = node, .foreach_task = no_tasks };

struct server {
	char dir[64], path[128];
	struct lws_context *ctx;
	struct api_listener *listener;
};

static void server_start(struct server *s)
{
	lws_set_log_level(0, NULL);
	strcpy(s->dir, "/tmp/tether-api-XXXXXX");
	ASSERT_TRUE(mkdtemp(s->dir));
	snprintf(s->path, sizeof(s->path), "%s/run/agent.sock", s->dir);
	struct lws_context_creation_info info = {
		.port = CONTEXT_PORT_NO_LISTEN, .fd_limit_per_thread = 128, .gid = -1, .uid = -1,
	};
	s->ctx = lws_create_context(&info);
	ASSERT_TRUE(s->ctx);
	struct error err = { 0 };
	ASSERT_INT_EQ(api_listen_unix(s->ctx, s->path, &src, &s->listener, &err), 0);
}

static void server_stop(struct server *s)
{
	lws_context_destroy(s->ctx);
	api_listener_free(s->listener);
	char lock[160];
	snprintf(lock, sizeof(lock), "%s.lock", s->path);
	unlink(lock);
	char run[80];
	snprintf(run, sizeof(run), "%s/run", s->dir);
	rmdir(run);
	rmdir(s->dir);
}

static int connect_to(const char *path)
{
	struct sockaddr_un addr = { .sun_family = AF_UNIX };
	strcpy(addr.sun_path, path);
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	ASSERT_TRUE(fd >= 0);
	ASSERT_INT_EQ(connect(fd, (struct sockaddr *)&addr, sizeof(addr)), 0);
	return fd;
}

/* TURNS turns of the loop that do not wait for anything: libwebsockets 4.1 sleeps until its
 * next event or timer, whatever timeout lws_service is given; a cancel ends the wait at once. */
static void serve(struct server *s, int turns)
{
	for (int i = 0; i < turns; i++) {
		lws_cancel_service(s->ctx);
		lws_service(s->ctx, 0);
	}
}

/* Sends REQUEST on FD and serves until the answer is whole (or the server closed). */
static size_t exchange(struct server *s, int fd, const char *request, char *buf, size_t size)
{
	ASSERT_INT_EQ(send(fd, request, strlen(request), MSG_NOSIGNAL), (long long)strlen(request));
	size_t got = 0;
	for (int i = 0; i < 200 && got < size - 1; i++) {
		serve(s, 1);
		ssize_t n = recv(fd, buf + got, size - 1 - got, 0);
		if (n == 0)
			break;
		if (n > 0)
			got += (size_t)n;
		buf[got] = '\0';
		int status;
		const char *body;
		size_t body_size;
		if (got && api_client_parse_answer(buf, got, &status, &body, &body_size) == 0 &&
		    strstr(buf, "content-length"))
			break;
	}
	buf[got] = '\0';
	return got;
}

static void assert_health_answers(struct server *s)
{
	char buf[8192];
	int fd = connect_to(s->path);
	exchange(s, fd, "GET /v1/health HTTP/1.1\r\nHost: x\r\n\r\n", buf, sizeof(buf));
	ASSERT_CONTAINS(buf, "HTTP/1.1 200");
	close(fd);
}

TEST(api_server_socket_is_0600_in_a_0700_folder)
{
	struct server s;
	server_start(&s);
	struct stat st;
	ASSERT_INT_EQ(stat(s.path, &st), 0);
	ASSERT_TRUE(S_ISSOCK(st.st_mode));
	ASSERT_INT_EQ(st.st_mode & 0777, 0600);
	char run[80];
	snprintf(run, sizeof(run), "%s/run", s.dir);
	ASSERT_INT_EQ(stat(run, &st), 0);
	ASSERT_INT_EQ(st.st_mode & 0777, 0700);
	server_stop(&s);
	ASSERT_TRUE(access(s.path, F_OK) < 0);
}

TEST(api_server_answers_get_and_refuses_other_methods)
{
	struct server s;
	server_start(&s);
	char buf[8192];
	int fd = connect_to(s.path);
	exchange(&s, fd, "GET /v1/metadata HTTP/1.1\r\nHost: x\r\n\r\n", buf, sizeof(buf));
	ASSERT_CONTAINS(buf, "HTTP/1.1 200");
	ASSERT_CONTAINS(buf, "\"node_id\":\"node-1\"");
	/* The same connection takes a second request. */
	exchange(&s, fd, "GET /v1/nothing HTTP/1.1\r\nHost: x\r\n\r\n", buf, sizeof(buf));
	ASSERT_CONTAINS(buf, "HTTP/1.1 404");
	close(fd);
	fd = connect_to(s.path);
	exchange(&s, fd, "POST /v1/tasks HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\n\r\nabc", buf,
		 sizeof(buf));
	ASSERT_CONTAINS(buf, "HTTP/1.1 405");
	close(fd);
	server_stop(&s);
}

TEST(api_server_second_listener_on_the_socket_is_refused)
{
	struct server s;
	server_start(&s);
	struct api_listener *second = NULL;
	struct error err = { 0 };
	ASSERT_INT_EQ(api_listen_unix(s.ctx, s.path, &src, &second, &err), -EBUSY);
	ASSERT_CONTAINS(err.message, "another 'tether run'");
	/* The first still answers. */
	assert_health_answers(&s);
	server_stop(&s);
}

TEST(api_server_hangs_up_past_its_connections)
{
	struct server s;
	server_start(&s);
	int fds[API_MAX_CONNECTIONS + 8];
	for (size_t i = 0; i < sizeof(fds) / sizeof(fds[0]); i++) {
		fds[i] = connect_to(s.path);
		serve(&s, 2);
	}
	serve(&s, 20);
	int closed = 0;
	for (size_t i = 0; i < sizeof(fds) / sizeof(fds[0]); i++) {
		char c;
		ssize_t n = recv(fds[i], &c, 1, 0);
		closed += n == 0 || (n < 0 && errno == ECONNRESET);
	}
	ASSERT_INT_EQ(closed, 8);
	for (size_t i = 0; i < sizeof(fds) / sizeof(fds[0]); i++)
		close(fds[i]);
	serve(&s, 20);
	assert_health_answers(&s);
	server_stop(&s);
}

/* A connection that says nothing, or half a request, does not keep its place: libwebsockets'
 * timeouts end both (after about 10 s; 30 s are allowed here for a loaded host). */
TEST(api_server_drops_silent_and_half_requests)
{
	struct server s;
	server_start(&s);
	int silent = connect_to(s.path);
	int half = connect_to(s.path);
	ASSERT_INT_EQ(send(half, "GET /v1/he", 10, MSG_NOSIGNAL), 10);
	bool silent_closed = false, half_closed = false;
	for (int t = 0; t < 300 && !(silent_closed && half_closed); t++) {
		serve(&s, 1);
		usleep(100000);
		char c;
		silent_closed = silent_closed || recv(silent, &c, 1, 0) == 0;
		half_closed = half_closed || recv(half, &c, 1, 0) == 0;
	}
	ASSERT_TRUE(silent_closed);
	ASSERT_TRUE(half_closed);
	close(silent);
	close(half);
	server_stop(&s);
}

/* A port another program holds: the endpoint says so and is not made. */
TEST(api_server_metadata_port_taken_is_an_error)
{
	lws_set_log_level(0, NULL);
	int taken = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	struct sockaddr_in addr = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(0x7f000001) };
	socklen_t len = sizeof(addr);
	ASSERT_INT_EQ(bind(taken, (struct sockaddr *)&addr, sizeof(addr)), 0);
	ASSERT_INT_EQ(listen(taken, 1), 0);
	ASSERT_INT_EQ(getsockname(taken, (struct sockaddr *)&addr, &len), 0);
	struct lws_context_creation_info info = {
		.port = CONTEXT_PORT_NO_LISTEN, .fd_limit_per_thread = 64, .gid = -1, .uid = -1,
	};
	struct lws_context *ctx = lws_create_context(&info);
	ASSERT_TRUE(ctx);
	struct api_listener *l = NULL;
	struct error err = { 0 };
	int r = api_listen_metadata(ctx, "127.0.0.1", ntohs(addr.sin_port), &src, &l, &err);
	lws_context_destroy(ctx);
	api_listener_free(l);
	close(taken);
	ASSERT_INT_EQ(r, -EADDRINUSE);
	ASSERT_CONTAINS(err.message, "127.0.0.1:");
}
