#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <unistd.h>

#include "common/backoff.h"
#include "agent/link/hub_link.h"
#include "common/cleanup.h"
#include "common/crash_point.h"
#include "protocol/frame.h"
#include "protocol/liveness.h"

#define SEND_QUEUE_MAX_BYTES (16u * 1024 * 1024)
/* The link's own few and the agent's HTTP servers' (agent/api/api_server.h: two listeners,
 * API_MAX_CONNECTIONS each). */
#define LINK_MAX_FDS 128
/* 4003 and 4004 will not heal by themselves, and 4005 means another agent holds this node's
 * identity: keep trying, but only at the slowest pace. */
#define REFUSED_RETRY_MS BACKOFF_CAP_MS

struct queued_message {
	struct queued_message *next;
	size_t size;
	unsigned char buf[]; /* LWS_PRE headroom, then the message */
};

struct hub_link {
	struct hub_link_config config;
	char *connect_url;
	char *ca_file;
	struct lws_context *context;
	struct lws *wsi;
	lws_sorted_usec_list_t retry_sul;
	unsigned attempt;
	bool retry_scheduled;
	bool shutting_down;     /* the context is being destroyed: no retries, no callbacks */
	uint32_t retry_ms;

	/* Liveness (protocol/liveness.h): the link keeps the clock itself, as the hub does. */
	struct liveness_policy liveness;
	lws_sorted_usec_list_t liveness_sul;
	int64_t last_heard, last_ping; /* lws_now_usecs() */
	bool ping_due;

	struct queued_message *queue_head, *queue_tail;
	size_t queue_bytes;

	char *rx;
	size_t rx_size;

	int close_code;
	char close_reason[128];
};

/* No libwebsockets validity policy: it counts only pongs as signs of life, not frames, and
 * its period is fixed when the connection is made, before the hub's welcome says it. */
static const lws_retry_bo_t no_validity_policy = { .secs_since_valid_hangup = 0 };

static void queue_clear(struct hub_link *link)
{
	while (link->queue_head) {
		struct queued_message *m = link->queue_head;
		link->queue_head = m->next;
		free(m);
	}
	link->queue_tail = NULL;
	link->queue_bytes = 0;
}

static void connect_attempt(lws_sorted_usec_list_t *sul);

static void schedule_retry(struct hub_link *link)
{
	if (link->retry_scheduled)
		return;
	uint32_t random_value = 0;
	if (getrandom(&random_value, sizeof(random_value), GRND_NONBLOCK) != sizeof(random_value))
		random_value = (uint32_t)lws_now_usecs();
	uint32_t delay = backoff_delay_ms(link->attempt, BACKOFF_BASE_MS, BACKOFF_CAP_MS,
					  BACKOFF_JITTER_PERCENT, random_value);
	if (link->close_code == CLOSE_AUTH_FAILED || link->close_code == CLOSE_DEREGISTERED ||
	    link->close_code == CLOSE_REPLACED)
		delay = REFUSED_RETRY_MS - random_value % (REFUSED_RETRY_MS * BACKOFF_JITTER_PERCENT / 100);
	if (link->attempt < 32)
		link->attempt++;
	link->retry_scheduled = true;
	link->retry_ms = delay;
	lws_sul_schedule(link->context, 0, &link->retry_sul, connect_attempt,
			 (lws_usec_t)delay * LWS_US_PER_MS);
}

static void link_ended(struct hub_link *link, const char *reason)
{
	link->wsi = NULL;
	queue_clear(link);
	free(link->rx);
	link->rx = NULL;
	link->rx_size = 0;
	if (link->shutting_down)
		return;
	schedule_retry(link);
	if (link->config.callbacks.on_closed)
		link->config.callbacks.on_closed(link->config.userdata, link->close_code, reason,
						 link->retry_ms);
}

static int receive_fragment(struct hub_link *link, struct lws *wsi, const void *in, size_t len)
{
	if (lws_frame_is_binary(wsi)) {
		lws_close_reason(wsi, LWS_CLOSE_STATUS_UNACCEPTABLE_OPCODE,
				 (unsigned char *)"frames are JSON text, not binary", 32);
		return -1;
	}
	if (lws_is_first_fragment(wsi))
		link->rx_size = 0;
	if (link->rx_size + len > FRAME_MAX_SIZE) {
		lws_close_reason(wsi, LWS_CLOSE_STATUS_MESSAGE_TOO_LARGE,
				 (unsigned char *)"frame too large", 15);
		return -1;
	}
	char *grown = realloc(link->rx, link->rx_size + len + 1);
	if (!grown)
		return -1;
	link->rx = grown;
	memcpy(link->rx + link->rx_size, in, len);
	link->rx_size += len;
	link->rx[link->rx_size] = '\0';
	if (lws_is_final_fragment(wsi) && link->config.callbacks.on_message) {
		size_t size = link->rx_size;
		link->rx_size = 0;
		link->config.callbacks.on_message(link->config.userdata, link->rx, size);
	}
	return 0;
}

static void liveness_check_now(lws_sorted_usec_list_t *sul)
{
	struct hub_link *link = lws_container_of(sul, struct hub_link, liveness_sul);
	if (!link->wsi)
		return; /* scheduled again when the next connection is established */
	int64_t now = lws_now_usecs();
	switch (liveness_check(&link->liveness, now, link->last_heard, link->last_ping)) {
	case LIVENESS_PING:
		link->ping_due = true;
		lws_callback_on_writable(link->wsi);
		break;
	case LIVENESS_HANG_UP:
		snprintf(link->close_reason, sizeof(link->close_reason),
			 "nothing heard from the hub for %lld s",
			 (long long)(link->liveness.hang_up_after_us / LWS_US_PER_SEC));
		lws_set_timeout(link->wsi, PENDING_TIMEOUT_USER_OK, LWS_TO_KILL_ASYNC);
		return;
	case LIVENESS_OK:
		break;
	}
	lws_sul_schedule(link->context, 0, &link->liveness_sul, liveness_check_now,
			 link->liveness.check_every_us);
}

static int write_ping(struct hub_link *link, struct lws *wsi)
{
	unsigned char ping[LWS_PRE + sizeof(LIVENESS_PING_PAYLOAD)];
	memcpy(ping + LWS_PRE, LIVENESS_PING_PAYLOAD, sizeof(LIVENESS_PING_PAYLOAD) - 1);
	link->ping_due = false;
	link->last_ping = lws_now_usecs();
	if (lws_write(wsi, ping + LWS_PRE, sizeof(LIVENESS_PING_PAYLOAD) - 1, LWS_WRITE_PING) < 0)
		return -1;
	if (link->queue_head)
		lws_callback_on_writable(wsi);
	return 0;
}

/* The crash point just after a reliable frame's ack or a task_state went to the socket
 * (common/crash_point.h), told before the write: the client masks the payload in place. Frames
 * are printed with their type first. */
static const char *written_point(const unsigned char *text, size_t size)
{
	static const char ack[] = "{\"type\":\"ack\"", state[] = "{\"type\":\"task_state\"";
	if (size >= sizeof(ack) - 1 && !memcmp(text, ack, sizeof(ack) - 1))
		return "ack-written";
	if (size >= sizeof(state) - 1 && !memcmp(text, state, sizeof(state) - 1))
		return "state-written";
	return NULL;
}

static int write_one(struct hub_link *link, struct lws *wsi)
{
	if (link->ping_due)
		return write_ping(link, wsi);
	struct queued_message *m = link->queue_head;
	if (!m)
		return 0;
	link->queue_head = m->next;
	if (!link->queue_head)
		link->queue_tail = NULL;
	link->queue_bytes -= m->size;
	const char *point = written_point(m->buf + LWS_PRE, m->size);
	int n = lws_write(wsi, m->buf + LWS_PRE, m->size, LWS_WRITE_TEXT);
	size_t size = m->size;
	free(m);
	if (n < (int)size)
		return -1;
	if (point)
		crash_point(point);
	if (link->queue_head)
		lws_callback_on_writable(wsi);
	return 0;
}

static void remember_close(struct hub_link *link, const unsigned char *in, size_t len)
{
	if (len < 2)
		return;
	link->close_code = (in[0] << 8) | in[1];
	size_t n = len - 2 < sizeof(link->close_reason) - 1 ? len - 2 : sizeof(link->close_reason) - 1;
	memcpy(link->close_reason, in + 2, n);
	link->close_reason[n] = '\0';
}

static int link_callback(struct lws *wsi, enum lws_callback_reasons reason, void *user, void *in,
			 size_t len)
{
	(void)user;
	struct lws_context *ctx = lws_get_context(wsi);
	struct hub_link *link = ctx ? lws_context_user(ctx) : NULL;
	if (!link)
		return 0;

	switch (reason) {
	case LWS_CALLBACK_CLIENT_ESTABLISHED:
		link->close_code = 0;
		link->close_reason[0] = '\0';
		link->last_heard = lws_now_usecs();
		link->last_ping = 0;
		link->ping_due = false;
		lws_sul_schedule(link->context, 0, &link->liveness_sul, liveness_check_now,
				 link->liveness.check_every_us);
		if (link->config.callbacks.on_established)
			link->config.callbacks.on_established(link->config.userdata);
		break;
	case LWS_CALLBACK_CLIENT_RECEIVE:
		link->last_heard = lws_now_usecs();
		return receive_fragment(link, wsi, in, len);
	case LWS_CALLBACK_CLIENT_RECEIVE_PONG:
		link->last_heard = lws_now_usecs();
		break;
	case LWS_CALLBACK_CLIENT_WRITEABLE:
		return write_one(link, wsi);
	case LWS_CALLBACK_WS_PEER_INITIATED_CLOSE:
		remember_close(link, in, len);
		break;
	case LWS_CALLBACK_CLIENT_CONNECTION_ERROR:
		if (wsi == link->wsi || !link->wsi)
			link_ended(link, in ? (const char *)in : "connection failed");
		break;
	case LWS_CALLBACK_CLIENT_CLOSED:
		if (wsi == link->wsi)
			link_ended(link, link->close_reason[0] ? link->close_reason : "connection closed");
		break;
	case LWS_CALLBACK_EVENT_WAIT_CANCELLED:
	case LWS_CALLBACK_RAW_RX_FILE:
		if (link->config.callbacks.on_wakeup)
			link->config.callbacks.on_wakeup(link->config.userdata);
		break;
	default:
		break;
	}
	return 0;
}

static const struct lws_protocols link_protocols[] = {
	{ PROTOCOL_SUBPROTOCOL, link_callback, 0, FRAME_MAX_SIZE, 0, NULL, 0 },
	{ NULL, NULL, 0, 0, 0, NULL, 0 },
};

static void connect_attempt(lws_sorted_usec_list_t *sul)
{
	struct hub_link *link = lws_container_of(sul, struct hub_link, retry_sul);
	link->retry_scheduled = false;
	if (link->wsi)
		return;

	/* lws_parse_uri cuts its input and drops the path's leading slash. */
	_cleanup_free_ char *url = strdup(link->connect_url);
	const char *scheme = NULL, *address = NULL, *path = NULL;
	int port = 0;
	_cleanup_free_ char *full_path = NULL;
	if (!url || lws_parse_uri(url, &scheme, &address, &port, &path) ||
	    asprintf(&full_path, "/%s", path) < 0) {
		link->close_code = 0;
		schedule_retry(link);
		return;
	}
	struct lws_client_connect_info info = {
		.context = link->context,
		.address = address,
		.port = port,
		.path = full_path,
		.host = address,
		.origin = address,
		.ssl_connection = !strcmp(scheme, "wss") ? LCCSCF_USE_SSL : 0,
		.protocol = PROTOCOL_SUBPROTOCOL,
		.local_protocol_name = PROTOCOL_SUBPROTOCOL,
		.retry_and_idle_policy = &no_validity_policy,
		.pwsi = &link->wsi,
	};
	link->close_code = 0;
	link->close_reason[0] = '\0';
	if (!lws_client_connect_via_info(&info)) {
		/* The CONNECTION_ERROR callback may already have scheduled the retry. */
		link->wsi = NULL;
		schedule_retry(link);
	}
}

int hub_link_new(const struct hub_link_config *config, struct hub_link **ret, struct error *err)
{
	if (strncmp(config->connect_url, "ws://", 5) && strncmp(config->connect_url, "wss://", 6))
		return error_set(err, EINVAL, "connect URL '%s' is not ws:// or wss://",
				 config->connect_url);
	struct hub_link *link = calloc(1, sizeof(*link));
	if (!link)
		return error_set(err, ENOMEM, "out of memory");
	link->config = *config;
	link->liveness = liveness_policy_of(LIVENESS_DEFAULT_HEARTBEAT_SECONDS);
	link->connect_url = strdup(config->connect_url);
	link->ca_file = config->ca_file ? strdup(config->ca_file) : NULL;
	if (!link->connect_url || (config->ca_file && !link->ca_file)) {
		hub_link_free(link);
		return error_set(err, ENOMEM, "out of memory");
	}

	/* TLS is set up only for a wss:// hub: for ws:// (loopback, development) libwebsockets
	 * would otherwise build a client TLS context and load the system's CA certificates,
	 * half a megabyte of heap the link never uses. */
	bool tls = !strncmp(config->connect_url, "wss://", 6);
	struct lws_context_creation_info info = {
		.port = CONTEXT_PORT_NO_LISTEN,
		.protocols = link_protocols,
		/* Frames are UTF-8 text: libwebsockets closes with 1007 otherwise. */
		.options = LWS_SERVER_OPTION_VALIDATE_UTF8 |
			   (tls ? LWS_SERVER_OPTION_DO_SSL_GLOBAL_INIT : 0),
		.client_ssl_ca_filepath = tls ? link->ca_file : NULL,
		/* The link's few descriptors (its socket, the wake-up pipe, the task manager's
		 * descriptor) in a small table searched by value, instead of tables indexed by
		 * descriptor and sized by the open files limit (340 KiB resident at 20,000). */
		.fd_limit_per_thread = LINK_MAX_FDS,
		.user = link,
		.gid = -1,
		.uid = -1,
	};
	link->context = lws_create_context(&info);
	if (!link->context) {
		hub_link_free(link);
		return error_set(err, EIO, "cannot create the websocket context");
	}
	*ret = link;
	return 0;
}

void hub_link_free(struct hub_link *link)
{
	if (!link)
		return;
	link->shutting_down = true;
	if (link->context)
		lws_context_destroy(link->context);
	queue_clear(link);
	free(link->rx);
	free(link->connect_url);
	free(link->ca_file);
	free(link);
}

struct lws_context *hub_link_context(struct hub_link *link)
{
	return link->context;
}

void hub_link_connect_now(struct hub_link *link)
{
	link->retry_scheduled = true;
	link->retry_ms = 0;
	lws_sul_schedule(link->context, 0, &link->retry_sul, connect_attempt, 1);
}

void hub_link_set_heartbeat(struct hub_link *link, unsigned seconds)
{
	link->liveness = liveness_policy_of(seconds);
}

void hub_link_reset_backoff(struct hub_link *link)
{
	link->attempt = 0;
}

int hub_link_watch_fd(struct hub_link *link, int fd, struct error *err)
{
	struct lws_vhost *vhost = lws_get_vhost_by_name(link->context, "default");
	if (!vhost)
		return error_set(err, ENOENT, "the websocket context has no vhost");
	/* The context closes what it adopted when it is destroyed. */
	lws_sock_file_fd_type desc = { .filefd = fcntl(fd, F_DUPFD_CLOEXEC, 0) };
	if (desc.filefd < 0)
		return error_set_errno(err, errno, "duplicate a descriptor to watch");
	if (!lws_adopt_descriptor_vhost(vhost, LWS_ADOPT_RAW_FILE_DESC, desc, NULL, NULL)) {
		close(desc.filefd);
		return error_set(err, EIO, "the websocket context cannot watch a descriptor");
	}
	return 0;
}

int hub_link_send(struct hub_link *link, const char *text, size_t size)
{
	if (!link->wsi)
		return -ENOTCONN;
	if (link->queue_bytes + size > SEND_QUEUE_MAX_BYTES)
		return -ENOBUFS;
	struct queued_message *m = malloc(sizeof(*m) + LWS_PRE + size);
	if (!m)
		return -ENOMEM;
	m->next = NULL;
	m->size = size;
	memcpy(m->buf + LWS_PRE, text, size);
	if (link->queue_tail)
		link->queue_tail->next = m;
	else
		link->queue_head = m;
	link->queue_tail = m;
	link->queue_bytes += size;
	lws_callback_on_writable(link->wsi);
	return 0;
}

void hub_link_close(struct hub_link *link, int close_code, const char *reason)
{
	if (!link->wsi)
		return;
	lws_close_reason(link->wsi, (enum lws_close_status)close_code, (unsigned char *)reason,
			 strlen(reason));
	/* Whatever is still queued belongs to the connection being dropped. */
	queue_clear(link);
	lws_set_timeout(link->wsi, PENDING_TIMEOUT_CLOSE_SEND, LWS_TO_KILL_ASYNC);
}
