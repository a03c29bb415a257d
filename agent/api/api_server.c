#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "agent/api/api_answer.h"
#include "agent/api/api_server.h"
#include "common/cleanup.h"
#include "common/fileio.h"
#include "common/pid_lock.h"

/* The vhosts' timeouts (timeout_secs, keepalive_timeout). A connection that sends nothing or
 * half a request head is ended by libwebsockets' own wait for a head, about 10 s whatever
 * these say (measured: tests/unit/test-agent-api-server.c). */
#define API_TIMEOUT_SECONDS 5

struct api_listener {
	enum api_server_kind kind;
	const struct api_source *src;
	char *socket_path; /* API_LOCAL: unlinked on free */
	int lock_fd;
	unsigned connections;
	struct lws_protocols protocols[2];
};

struct api_session {
	struct api_answer answer;
	bool close_after;
};

static const struct {
	enum lws_token_indexes token;
	const char *name;
} http_methods[] = {
	{ WSI_TOKEN_GET_URI, "GET" },       { WSI_TOKEN_POST_URI, "POST" },
	{ WSI_TOKEN_PUT_URI, "PUT" },       { WSI_TOKEN_PATCH_URI, "PATCH" },
	{ WSI_TOKEN_DELETE_URI, "DELETE" }, { WSI_TOKEN_OPTIONS_URI, "OPTIONS" },
	{ WSI_TOKEN_HEAD_URI, "HEAD" },
};

static const char *request_method(struct lws *wsi)
{
	for (size_t i = 0; i < sizeof(http_methods) / sizeof(http_methods[0]); i++)
		if (lws_hdr_total_length(wsi, http_methods[i].token) > 0)
			return http_methods[i].name;
	return "an unknown method";
}

static struct api_listener *listener_of(struct lws *wsi)
{
	struct lws_vhost *vh = lws_get_vhost(wsi);
	return vh ? lws_vhost_user(vh) : NULL;
}

/* Only root may read the local API: the socket's mode says so, and the peer's credentials
 * are checked again in case the socket was reached through a descriptor passed on. */
static bool peer_is_root(struct lws *wsi)
{
	struct ucred cred;
	socklen_t len = sizeof(cred);
	int fd = lws_get_socket_fd(wsi);
	return fd >= 0 && getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cred, &len) == 0 &&
	       cred.uid == 0;
}

static int send_headers(struct lws *wsi, struct api_session *s)
{
	unsigned char buf[LWS_PRE + 512], *start = buf + LWS_PRE, *p = start,
					    *end = buf + sizeof(buf) - 1;
	size_t len = s->answer.body ? strlen(s->answer.body) : 0;
	if (lws_add_http_common_headers(wsi, (unsigned int)s->answer.status,
					s->answer.content_type ? s->answer.content_type : API_JSON,
					len, &p, end) ||
	    (s->close_after &&
	     lws_add_http_header_by_token(wsi, WSI_TOKEN_CONNECTION, (const unsigned char *)"close",
					  5, &p, end)) ||
	    lws_finalize_write_http_header(wsi, start, &p, end))
		return -1;
	lws_callback_on_writable(wsi);
	return 0;
}

static int start_request(struct lws *wsi, struct api_session *s, const char *path)
{
	struct api_listener *l = listener_of(wsi);
	if (!l || !s)
		return -1;
	api_answer_release(&s->answer);
	const char *method = request_method(wsi);
	/* Whatever body a request other than GET carries is not read: the connection ends
	 * after the answer, as its framing is then unknown. */
	s->close_after = strcmp(method, "GET") != 0;
	if (l->kind == API_LOCAL && !peer_is_root(wsi)) {
		s->answer.status = 403;
		s->answer.body = strdup("{\"error\":\"the local API answers root only\"}");
		s->close_after = true;
	} else {
		api_answer(l->src, l->kind, method, path ? path : "", &s->answer);
	}
	return send_headers(wsi, s);
}

static int send_body(struct lws *wsi, struct api_session *s)
{
	size_t n = s->answer.body ? strlen(s->answer.body) : 0;
	unsigned char *buf = malloc(LWS_PRE + n + 1);
	if (!buf)
		return -1;
	if (n)
		memcpy(buf + LWS_PRE, s->answer.body, n);
	int w = lws_write(wsi, buf + LWS_PRE, n, LWS_WRITE_HTTP_FINAL);
	free(buf);
	api_answer_release(&s->answer);
	if (w < (int)n || s->close_after || lws_http_transaction_completed(wsi))
		return -1;
	return 0;
}

static int api_callback(struct lws *wsi, enum lws_callback_reasons reason, void *user, void *in,
			size_t len)
{
	struct api_session *s = user;
	struct api_listener *l;
	switch (reason) {
	case LWS_CALLBACK_FILTER_NETWORK_CONNECTION:
		l = listener_of(wsi);
		return l && l->connections >= API_MAX_CONNECTIONS ? -1 : 0;
	/* Every connection the filter let in is made and, in the end, destroyed, whether or not
	 * it ever sent a request (libwebsockets binds no protocol before one). */
	case LWS_CALLBACK_WSI_CREATE:
		if ((l = listener_of(wsi)))
			l->connections++;
		return 0;
	case LWS_CALLBACK_WSI_DESTROY:
		if ((l = listener_of(wsi)) && l->connections)
			l->connections--;
		return 0;
	case LWS_CALLBACK_HTTP_DROP_PROTOCOL:
		if (s)
			api_answer_release(&s->answer);
		return 0;
	case LWS_CALLBACK_HTTP_CONFIRM_UPGRADE:
		/* Plain HTTP/1.1 only: no websocket, no h2c. */
		if (in)
			((char *)in)[0] = '\0';
		return 0;
	case LWS_CALLBACK_HTTP:
		return start_request(wsi, s, in);
	case LWS_CALLBACK_HTTP_BODY:
	case LWS_CALLBACK_HTTP_BODY_COMPLETION:
		return 0; /* answered already; the connection closes after the answer */
	case LWS_CALLBACK_HTTP_WRITEABLE:
		return s ? send_body(wsi, s) : -1;
	case LWS_CALLBACK_CLOSED_HTTP:
		if (s)
			api_answer_release(&s->answer);
		return 0;
	default:
		break;
	}
	return lws_callback_http_dummy(wsi, reason, user, in, len);
}

static const char *const listener_names[] = {
	[API_LOCAL] = "tether-local-api",
	[API_METADATA] = "tether-task-metadata",
	[API_METRICS] = "tether-metrics",
};

static struct api_listener *listener_new(enum api_server_kind kind,
					 const struct api_source *src)
{
	struct api_listener *l = calloc(1, sizeof(*l));
	if (!l)
		return NULL;
	l->kind = kind;
	l->src = src;
	l->lock_fd = -1;
	l->protocols[0] = (struct lws_protocols){
		.name = listener_names[kind],
		.callback = api_callback,
		.per_session_data_size = sizeof(struct api_session),
		.rx_buffer_size = 0,
	};
	return l;
}

static int create_vhost(struct lws_context *ctx, struct api_listener *l, const char *name,
			const char *iface, int port, uint64_t options, struct error *err)
{
	struct lws_context_creation_info info = {
		.vhost_name = name,
		.iface = iface,
		.port = port,
		.options = options,
		.protocols = l->protocols,
		.timeout_secs = API_TIMEOUT_SECONDS,
		.keepalive_timeout = API_TIMEOUT_SECONDS,
		.user = l,
		.gid = -1,
		.uid = -1,
	};
	if (!lws_create_vhost(ctx, &info))
		return error_set(err, EADDRINUSE, "cannot listen on %s%s%.0d", iface,
				 port ? ":" : "", port);
	return 0;
}

/* The socket's folder: made 0700, or refused when others may enter it. */
static int check_socket_dir(const char *path, struct error *err)
{
	_cleanup_free_ char *copy = strdup(path);
	if (!copy)
		return error_set(err, ENOMEM, "out of memory");
	const char *dir = dirname(copy);
	if (mkdir_parents(dir, 0700) < 0)
		return error_set_errno(err, errno, "create %s", dir);
	struct stat st;
	if (stat(dir, &st) < 0)
		return error_set_errno(err, errno, "stat %s", dir);
	if (st.st_uid != geteuid() || (st.st_mode & 077))
		return error_set(err, EPERM, "the folder %s of the local API's socket must be "
				 "this user's and closed to others (mode 0700), not %04o", dir,
				 st.st_mode & 07777);
	return 0;
}

int api_listen_unix(struct lws_context *ctx, const char *path, const struct api_source *src,
		    struct api_listener **ret, struct error *err)
{
	struct sockaddr_un addr;
	if (path[0] != '/' || strlen(path) >= sizeof(addr.sun_path))
		return error_set(err, EINVAL, "the socket path must be absolute and shorter than "
				 "%zu bytes: %s", sizeof(addr.sun_path), path);
	int r = check_socket_dir(path, err);
	if (r < 0)
		return r;
	struct api_listener *l = listener_new(API_LOCAL, src);
	_cleanup_free_ char *lock_path = NULL;
	if (!l || asprintf(&lock_path, "%s.lock", path) < 0 || !(l->socket_path = strdup(path))) {
		api_listener_free(l);
		return error_set(err, ENOMEM, "out of memory");
	}
	/* libwebsockets removes whatever is at the path before it binds: only the lock's
	 * holder may get there. */
	pid_t holder = 0;
	r = pid_lock_take(lock_path, &l->lock_fd, &holder, err);
	if (r < 0) {
		free(l->socket_path);
		l->socket_path = NULL; /* not ours to remove */
		api_listener_free(l);
		return r == -EBUSY ? error_set(err, EBUSY, "%s is the socket of another 'tether run' "
					       "(pid %ld)", path, (long)holder)
				   : r;
	}
	r = create_vhost(ctx, l, "tether-local-api", path, 0, LWS_SERVER_OPTION_UNIX_SOCK, err);
	if (r >= 0 && chmod(path, 0600) < 0)
		r = error_set_errno(err, errno, "chmod %s", path);
	if (r < 0) {
		api_listener_free(l);
		return r;
	}
	*ret = l;
	return 0;
}

static int listen_loopback(struct lws_context *ctx, enum api_server_kind kind,
			   const char *address, unsigned port, const struct api_source *src,
			   struct api_listener **ret, struct error *err)
{
	struct api_listener *l = listener_new(kind, src);
	if (!l)
		return error_set(err, ENOMEM, "out of memory");
	int r = create_vhost(ctx, l, listener_names[kind], address, (int)port,
			     LWS_SERVER_OPTION_DISABLE_IPV6, err);
	if (r < 0) {
		api_listener_free(l);
		return r;
	}
	*ret = l;
	return 0;
}

int api_listen_metadata(struct lws_context *ctx, const char *address, unsigned port,
			const struct api_source *src, struct api_listener **ret,
			struct error *err)
{
	return listen_loopback(ctx, API_METADATA, address, port, src, ret, err);
}

int api_listen_metrics(struct lws_context *ctx, const char *address, unsigned port,
		       const struct api_source *src, struct api_listener **ret, struct error *err)
{
	return listen_loopback(ctx, API_METRICS, address, port, src, ret, err);
}

void api_listener_free(struct api_listener *l)
{
	if (!l)
		return;
	if (l->socket_path)
		unlink(l->socket_path);
	free(l->socket_path);
	if (l->lock_fd >= 0)
		close(l->lock_fd);
	free(l);
}
