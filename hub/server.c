#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <ev.h>
#include <libwebsockets.h>

#include "common/cleanup.h"
#include "common/log.h"
#include "hub/agent_link.h"
#include "hub/http_front.h"
#include "hub/http_request.h"
#include "hub/link_index.h"
#include "hub/link_stats.h"
#include "hub/listen_socket.h"
#include "hub/rule_firing.h"
#include "hub/server.h"
#include "hub/services/service_reconcile.h"
#include "hub/tasks/task_retention.h"
#include "hub/tls_reload.h"
#include "protocol/frame.h"
#include "protocol/liveness.h"

struct hub_server {
	struct lws_context *ctx;
	/* libev over epoll: lws's own poll() loop walks every socket on each wake-up, which a hub
	 * holding thousands of agents cannot afford. NULL when the event library plugin is missing
	 * and lws's poll() loop serves instead. */
	struct ev_loop *loop;
	void *loops[1];
	struct hub_store *store;
	struct http_front *front; /* the HTTP requests' state (hub/http_request.c) */
	bool tls;
	unsigned heartbeat_seconds;
	struct liveness_policy liveness;
	int accept_queue; /* the listen backlog, 0 when the system's default stayed */
	volatile sig_atomic_t stopping;
	volatile sig_atomic_t reload_due; /* SIGHUP: read the certificate's files again */
	struct tls_reload tls_files;
	struct link_session *links; /* authenticated or not, every open websocket */
	struct link_index *by_node; /* welcomed links by node id */
	lws_sorted_usec_list_t sweep_sul, stats_sul, retention_sul, rules_sul, services_sul;
	unsigned service_disconnect_grace; /* seconds */
	struct link_stats stats, stats_logged;
};

struct link_session {
	struct agent_link link;
	struct lws *wsi;
	char *rx;
	size_t rx_size;
	bool rx_too_large, replaced;
	bool ping_due;
	enum link_end end; /* why the hub (or the agent) ended it, once known */
	int64_t opened, last_heard, last_ping; /* lws_now_usecs() */
	struct link_index_entry by_node;
	struct link_session *next, *prev;
};

static struct link_session *session_of(struct link_index_entry *e)
{
	return e ? lws_container_of(e, struct link_session, by_node) : NULL;
}

static struct hub_server *server_of(struct lws *wsi)
{
	return lws_context_user(lws_get_context(wsi));
}


static void unlink_session(struct hub_server *srv, struct link_session *ls)
{
	if (ls->prev)
		ls->prev->next = ls->next;
	else if (srv->links == ls)
		srv->links = ls->next;
	if (ls->next)
		ls->next->prev = ls->prev;
	ls->next = ls->prev = NULL;
	link_index_remove(srv->by_node, &ls->by_node);
}

/* A node connected again: its older connection is closed with 4005. */
static void replace_older(struct hub_server *srv, struct link_session *newer)
{
	const char *node_id = newer->link.node_id;
	for (struct link_session *ls = session_of(link_index_find(srv->by_node, node_id, NULL)); ls;
	     ls = session_of(link_index_find(srv->by_node, node_id, &ls->by_node))) {
		if (ls == newer || ls->replaced)
			continue;
		ls->replaced = true;
		ls->link.close_code = CLOSE_REPLACED;
		snprintf(ls->link.close_reason, sizeof(ls->link.close_reason),
			 "replaced by a newer connection");
		lws_callback_on_writable(ls->wsi);
	}
}

/* The store queued a frame for node_id: only that node's link reads the queue again. */
static void wake_node(void *userdata, const char *node_id)
{
	struct hub_server *srv = userdata;
	for (struct link_session *ls = session_of(link_index_find(srv->by_node, node_id, NULL)); ls;
	     ls = session_of(link_index_find(srv->by_node, node_id, &ls->by_node)))
		if (!ls->replaced) {
			agent_link_outbox_changed(&ls->link);
			lws_callback_on_writable(ls->wsi);
		}
}

static enum link_end end_of_close_code(int code)
{
	switch (code) {
	case CLOSE_REPLACED:
		return LINK_END_REPLACED;
	case CLOSE_AUTH_FAILED:
	case CLOSE_DEREGISTERED:
	case CLOSE_PROTOCOL_UNSUPPORTED:
		return LINK_END_AUTH;
	default:
		return LINK_END_OTHER;
	}
}

static int close_now(struct lws *wsi, struct link_session *ls)
{
	if (ls->end == LINK_END_UNKNOWN)
		ls->end = end_of_close_code(ls->link.close_code);
	lws_close_reason(wsi, (enum lws_close_status)ls->link.close_code,
			 (unsigned char *)ls->link.close_reason, strlen(ls->link.close_reason));
	return -1;
}

static void link_receive(struct lws *wsi, struct link_session *ls, const void *in, size_t len)
{
	struct hub_server *srv = server_of(wsi);
	if (lws_frame_is_binary(wsi)) {
		ls->link.close_code = LWS_CLOSE_STATUS_UNACCEPTABLE_OPCODE;
		snprintf(ls->link.close_reason, sizeof(ls->link.close_reason),
			 "frames are JSON text, not binary");
		lws_callback_on_writable(wsi);
		return;
	}
	if (lws_is_first_fragment(wsi)) {
		ls->rx_size = 0;
		ls->rx_too_large = false;
	}
	if (ls->rx_size + len > FRAME_MAX_SIZE) {
		ls->rx_too_large = true;
	} else if (!ls->rx_too_large) {
		char *nb = realloc(ls->rx, ls->rx_size + len + 1);
		if (!nb) {
			ls->rx_too_large = true;
		} else {
			memcpy(nb + ls->rx_size, in, len);
			ls->rx = nb;
			ls->rx_size += len;
		}
	}
	if (!lws_is_final_fragment(wsi))
		return;
	if (ls->rx_too_large) {
		ls->link.close_code = LWS_CLOSE_STATUS_MESSAGE_TOO_LARGE;
		snprintf(ls->link.close_reason, sizeof(ls->link.close_reason), "frame too large");
	} else if (agent_link_receive(&ls->link, ls->rx ? ls->rx : "", ls->rx_size) == 1) {
		log_debug("node %s connected", ls->link.node_id);
		srv->stats.welcomed++;
		srv->stats.welcomed_open++;
		link_index_add(srv->by_node, &ls->by_node, ls->link.node_id);
		replace_older(srv, ls);
	}
	free(ls->rx);
	ls->rx = NULL;
	ls->rx_size = 0;
	lws_callback_on_writable(wsi);
}

static int link_writeable(struct lws *wsi, struct link_session *ls)
{
	if (ls->ping_due) {
		unsigned char ping[LWS_PRE + sizeof(LIVENESS_PING_PAYLOAD)];
		memcpy(ping + LWS_PRE, LIVENESS_PING_PAYLOAD, sizeof(LIVENESS_PING_PAYLOAD) - 1);
		ls->ping_due = false;
		ls->last_ping = lws_now_usecs();
		if (lws_write(wsi, ping + LWS_PRE, sizeof(LIVENESS_PING_PAYLOAD) - 1,
			      LWS_WRITE_PING) < 0) {
			ls->end = LINK_END_WRITE_FAILED;
			return -1;
		}
		lws_callback_on_writable(wsi);
		return 0;
	}
	_cleanup_free_ char *text = agent_link_next_out(&ls->link);
	if (!text)
		return ls->link.close_code ? close_now(wsi, ls) : 0;
	size_t n = strlen(text);
	unsigned char *buf = malloc(LWS_PRE + n);
	if (!buf)
		return -1;
	memcpy(buf + LWS_PRE, text, n);
	int w = lws_write(wsi, buf + LWS_PRE, n, LWS_WRITE_TEXT);
	free(buf);
	if (w < (int)n) {
		ls->end = LINK_END_WRITE_FAILED;
		return -1;
	}
	lws_callback_on_writable(wsi);
	return 0;
}

static void link_closed(struct hub_server *srv, struct link_session *ls)
{
	struct link_stats *st = &srv->stats;
	st->open--;
	st->ended[ls->end]++;
	if (ls->link.authenticated) {
		log_debug("node %s disconnected (%s)", ls->link.node_id, link_end_name(ls->end));
		st->welcomed_open--;
		st->ended_welcomed[ls->end]++;
	}
	unlink_session(srv, ls);
	agent_link_closed(&ls->link, ls->replaced);
	free(ls->rx);
	ls->rx = NULL;
}

static int link_callback(struct lws *wsi, enum lws_callback_reasons reason, void *user, void *in,
			 size_t len)
{
	struct link_session *ls = user;
	struct hub_server *srv = lws_get_context(wsi) ? server_of(wsi) : NULL;
	switch (reason) {
	case LWS_CALLBACK_FILTER_PROTOCOL_CONNECTION: {
		char uri[64] = "";
		lws_hdr_copy(wsi, uri, sizeof(uri), WSI_TOKEN_GET_URI);
		return strcmp(uri, "/v1/connect") != 0;
	}
	case LWS_CALLBACK_ESTABLISHED:
		memset(ls, 0, sizeof(*ls));
		ls->wsi = wsi;
		ls->opened = ls->last_heard = lws_now_usecs();
		if (agent_link_start(&ls->link, srv->store, srv->heartbeat_seconds) < 0)
			return -1;
		ls->link.metrics = srv->front->metrics;
		ls->next = srv->links;
		if (srv->links)
			srv->links->prev = ls;
		srv->links = ls;
		srv->stats.opened++;
		srv->stats.open++;
		/* The hello deadline is kept by the liveness sweep, not lws_set_timeout: in a
		 * reconnection storm every insertion into lws's sorted timeout list walks it. */
		lws_callback_on_writable(wsi);
		return 0;
	case LWS_CALLBACK_RECEIVE:
		/* A link past its hello deadline is being closed: a hello read before the close
		 * would welcome the agent only to drop it. */
		if (ls->end == LINK_END_HELLO_TIMEOUT)
			return 0;
		ls->last_heard = lws_now_usecs();
		link_receive(wsi, ls, in, len);
		return 0;
	case LWS_CALLBACK_RECEIVE_PONG:
		ls->last_heard = lws_now_usecs();
		return 0;
	case LWS_CALLBACK_WS_PEER_INITIATED_CLOSE:
		if (ls->end == LINK_END_UNKNOWN)
			ls->end = LINK_END_PEER_CLOSE;
		return 0;
	case LWS_CALLBACK_SERVER_WRITEABLE:
		return link_writeable(wsi, ls);
	case LWS_CALLBACK_CLOSED:
		link_closed(srv, ls);
		return 0;
	default:
		return 0;
	}
}

static const lws_retry_bo_t no_idle_policy = { .secs_since_valid_hangup = 0 };

static const struct lws_protocols protocols[] = {
	HTTP_REQUEST_PROTOCOL,
	{ PROTOCOL_SUBPROTOCOL, link_callback, sizeof(struct link_session), 4096, 0, NULL, 0 },
	{ NULL, NULL, 0, 0, 0, NULL, 0 },
};

/* One timer for every link's liveness (protocol/liveness.h). */
static void liveness_sweep(lws_sorted_usec_list_t *sul)
{
	struct hub_server *srv = lws_container_of(sul, struct hub_server, sweep_sul);
	int64_t now = lws_now_usecs();
	for (struct link_session *ls = srv->links; ls; ls = ls->next) {
		if (!ls->link.authenticated) {
			if (liveness_hello_overdue(now, ls->opened) && ls->end == LINK_END_UNKNOWN) {
				ls->end = LINK_END_HELLO_TIMEOUT;
				lws_set_timeout(ls->wsi, PENDING_TIMEOUT_USER_OK, LWS_TO_KILL_ASYNC);
			}
			continue;
		}
		switch (liveness_check(&srv->liveness, now, ls->last_heard, ls->last_ping)) {
		case LIVENESS_PING:
			ls->ping_due = true;
			lws_callback_on_writable(ls->wsi);
			break;
		case LIVENESS_HANG_UP:
			if (ls->end == LINK_END_UNKNOWN)
				ls->end = LINK_END_SILENT;
			lws_set_timeout(ls->wsi, PENDING_TIMEOUT_USER_OK, LWS_TO_KILL_ASYNC);
			break;
		case LIVENESS_OK:
			break;
		}
	}
	lws_sul_schedule(srv->ctx, 0, &srv->sweep_sul, liveness_sweep, srv->liveness.check_every_us);
}

#define STATS_LOG_US (10 * 1000000LL)

/* One line for what changed among the links, at most every 10 s. */
static void log_link_stats(lws_sorted_usec_list_t *sul)
{
	struct hub_server *srv = lws_container_of(sul, struct hub_server, stats_sul);
	char line[512];
	link_stats_summary(&srv->stats, &srv->stats_logged, line, sizeof(line));
	if (line[0])
		log_info("%s", line);
	lws_sul_schedule(srv->ctx, 0, &srv->stats_sul, log_link_stats, STATS_LOG_US);
}

#define RETENTION_SWEEP_US (60 * 1000000LL)

/* Stopped tasks older than an hour are forgotten (hub/tasks/task_retention.h). */
static void forget_old_tasks(lws_sorted_usec_list_t *sul)
{
	struct hub_server *srv = lws_container_of(sul, struct hub_server, retention_sul);
	struct error err = { 0 };
	int n = task_retention_sweep(srv->store, hub_now(), TASK_RETENTION_SECONDS, &err);
	if (n < 0)
		log_warning("forgetting stopped tasks: %s", err.message);
	else if (n > 0)
		log_info("forgot %d tasks stopped more than an hour ago", n);
	lws_sul_schedule(srv->ctx, 0, &srv->retention_sul, forget_old_tasks, RETENTION_SWEEP_US);
}

#define RULES_CHECK_US (1000000LL)

/* The scheduled rules' ticks (hub/rule_firing.h): looked for every second, an indexed read of
 * the rules due, so that a tick runs within a second of its time. */
static void fire_due_rules(lws_sorted_usec_list_t *sul)
{
	struct hub_server *srv = lws_container_of(sul, struct hub_server, rules_sul);
	struct error err = { 0 };
	if (rule_firing_run(srv->store, time(NULL), &err) < 0)
		log_warning("scheduled rules: %s", err.message);
	lws_sul_schedule(srv->ctx, 0, &srv->rules_sul, fire_due_rules, RULES_CHECK_US);
}

#define SERVICES_PASS_US (1 * 1000000LL)

/* The service scheduler's pass (hub/services/service_reconcile.h). */
static void reconcile_services(lws_sorted_usec_list_t *sul)
{
	struct hub_server *srv = lws_container_of(sul, struct hub_server, services_sul);
	struct error err = { 0 };
	if (service_reconcile_all(srv->store, srv->service_disconnect_grace, &err) < 0)
		log_warning("service scheduler: %s", err.message);
	lws_sul_schedule(srv->ctx, 0, &srv->services_sul, reconcile_services, SERVICES_PASS_US);
}

int hub_server_new(const struct hub_server_config *cfg, struct hub_store *store,
		   struct hub_server **ret, struct error *err)
{
	struct hub_server *srv = calloc(1, sizeof(*srv));
	if (!srv || !(srv->by_node = calloc(1, sizeof(*srv->by_node)))) {
		free(srv);
		return error_set(err, ENOMEM, "out of memory");
	}
	srv->store = store;
	srv->tls = cfg->tls_cert != NULL;
	int r = http_front_new(cfg, store, &srv->front, err);
	if (r >= 0)
		srv->front->link_stats = &srv->stats;
	if (r < 0) {
		free(srv->by_node);
		free(srv);
		return r;
	}
	srv->heartbeat_seconds = cfg->heartbeat_seconds ? cfg->heartbeat_seconds
							: LIVENESS_DEFAULT_HEARTBEAT_SECONDS;
	srv->liveness = liveness_policy_of(srv->heartbeat_seconds);
	srv->service_disconnect_grace = cfg->service_disconnect_grace
						? cfg->service_disconnect_grace
						: SERVICE_DISCONNECT_GRACE_DEFAULT;
	lws_set_log_level(LLL_ERR, NULL);
	struct lws_context_creation_info info = { 0 };
	info.port = cfg->listen.port;
	info.iface = cfg->listen.text;
	/* With IPv6 on, libwebsockets 4.1 opens an IPv6 socket and, given an IPv4 address, leaves
	 * the socket's address unset: it listened on [::], every interface of both families. */
	if (cfg->listen.family == AF_INET)
		info.options |= LWS_SERVER_OPTION_DISABLE_IPV6;
	info.protocols = protocols;
	info.user = srv;
	info.pt_serv_buf_size = 32 * 1024;
	/* No libwebsockets idle policy: its timers sit in one sorted list that every insertion
	 * walks, one per connection established, which made a reconnection storm of 10,000
	 * agents quadratic; protocol/liveness.h keeps the clock instead. */
	info.retry_and_idle_policy = &no_idle_policy;
	/* Frames are UTF-8 text (docs/protocol.md): libwebsockets closes with 1007 otherwise. */
	info.options |= LWS_SERVER_OPTION_VALIDATE_UTF8;
	srv->tls_files = (struct tls_reload){ cfg->tls_cert, cfg->tls_key, NULL };
	if (srv->tls) {
		info.options |= LWS_SERVER_OPTION_DO_SSL_GLOBAL_INIT;
		info.ssl_cert_filepath = cfg->tls_cert;
		info.ssl_private_key_filepath = cfg->tls_key;
		info.alpn = HTTP_REQUEST_ALPN;
	}
	srv->loop = ev_loop_new(EVBACKEND_EPOLL);
	if (srv->loop) {
		srv->loops[0] = srv->loop;
		info.foreign_loops = srv->loops;
		info.options |= LWS_SERVER_OPTION_LIBEV;
		srv->ctx = lws_create_context(&info);
		if (!srv->ctx) {
			/* Most likely the libev plugin of libwebsockets is not installed. */
			ev_loop_destroy(srv->loop);
			srv->loop = NULL;
			info.foreign_loops = NULL;
			info.options &= ~(uint64_t)LWS_SERVER_OPTION_LIBEV;
		}
	}
	if (!srv->ctx)
		srv->ctx = lws_create_context(&info);
	if (!srv->ctx) {
		http_front_free(srv->front);
		free(srv->by_node);
		free(srv);
		return error_set(err, EADDRINUSE, "cannot listen on %s port %d", cfg->listen.text,
				 cfg->listen.port);
	}
	r = listen_address_check(&cfg->listen, err);
	if (r < 0) {
		hub_server_free(srv);
		return r;
	}
	if (listen_backlog_set(cfg->listen.port, HUB_LISTEN_BACKLOG) > 0)
		srv->accept_queue = HUB_LISTEN_BACKLOG;
	lws_sul_schedule(srv->ctx, 0, &srv->sweep_sul, liveness_sweep, srv->liveness.check_every_us);
	lws_sul_schedule(srv->ctx, 0, &srv->stats_sul, log_link_stats, STATS_LOG_US);
	lws_sul_schedule(srv->ctx, 0, &srv->retention_sul, forget_old_tasks, RETENTION_SWEEP_US);
	lws_sul_schedule(srv->ctx, 0, &srv->rules_sul, fire_due_rules, RULES_CHECK_US);
	lws_sul_schedule(srv->ctx, 0, &srv->services_sul, reconcile_services, SERVICES_PASS_US);
	store->on_frame_queued = wake_node;
	store->on_frame_queued_userdata = srv;
	*ret = srv;
	return 0;
}

const char *hub_server_event_backend(const struct hub_server *srv)
{
	return srv->loop ? "epoll" : "poll";
}

int hub_server_accept_queue(const struct hub_server *srv)
{
	return srv->accept_queue;
}

void hub_server_tls_made(struct lws *wsi, void *ssl_ctx)
{
	server_of(wsi)->tls_files.served = ssl_ctx;
}

static void reload_certificate(struct hub_server *srv)
{
	if (!srv->tls) {
		log_info("SIGHUP: no certificate to reload (the hub serves plain HTTP)");
		return;
	}
	char summary[512];
	struct error err = { 0 };
	if (tls_reload_apply(&srv->tls_files, summary, sizeof(summary), &err) < 0)
		log_error("certificate not reloaded, the one loaded before is still served: %s",
			  err.message);
	else
		log_info("certificate reloaded from %s: %s", srv->tls_files.cert_path, summary);
}

int hub_server_run(struct hub_server *srv)
{
	while (!srv->stopping) {
		if (srv->reload_due) {
			srv->reload_due = 0;
			reload_certificate(srv);
		}
		if (srv->loop)
			ev_run(srv->loop, EVRUN_ONCE); /* lws_cancel_service wakes it */
		else if (lws_service(srv->ctx, 0) < 0)
			return -EIO;
	}
	return 0;
}

void hub_server_stop(struct hub_server *srv)
{
	srv->stopping = 1;
	lws_cancel_service(srv->ctx);
}

void hub_server_reload_tls(struct hub_server *srv)
{
	srv->reload_due = 1;
	lws_cancel_service(srv->ctx);
}

void hub_server_free(struct hub_server *srv)
{
	if (!srv)
		return;
	/* Every link closes here and marks its node disconnected: one commit for all of them,
	 * not one each (10,000 agents took 8 s to stop). */
	bool in_transaction = hub_store_begin(srv->store, NULL) == 0;
	lws_context_destroy(srv->ctx);
	if (in_transaction && hub_store_commit(srv->store, NULL) < 0)
		hub_store_rollback(srv->store);
	srv->store->on_frame_queued = NULL;
	if (srv->loop)
		ev_loop_destroy(srv->loop);
	http_front_free(srv->front);
	free(srv->by_node);
	free(srv);
}

struct http_front *hub_server_http_front(struct lws *wsi)
{
	return server_of(wsi)->front;
}
