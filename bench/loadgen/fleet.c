#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <time.h>

#include <ev.h>
#include <libwebsockets.h>

#include "common/backoff.h"
#include "bench/loadgen/fleet.h"
#include "bench/loadgen/wave_stats.h"
#include "protocol/frame.h"

/* One timer walks the whole fleet: cheaper than a libwebsockets timer per agent (its timer
 * list is sorted by insertion) and fine-grained enough next to backoff delays of 700 ms and up. */
#define TICK_US (20 * 1000)
/* libwebsockets 4.1 keeps each context's timers in one sorted list, and every connection has
 * timers: a context per few hundred agents keeps each insertion short. All share one loop. */
#define AGENTS_PER_CONTEXT 500
#define US_PER_S 1000000
/* When this process's own loop runs late (it shares the cores with the hub), it lets only a few
 * handshakes be in flight for a second: a starved generator that keeps opening connections
 * cannot answer the ones it has opened, and its agents then fail for its own lack of CPU,
 * not the hub's. A loop on time never waits, so a storm is as sudden as the agents make it. */
#define LATE_TICK_US (200 * 1000)
#define HANDSHAKES_WHEN_LATE 64

enum conn_end {
	CONN_END_CLOSED,    /* CLIENT_CLOSED */
	CONN_END_ERROR,     /* CLIENT_CONNECTION_ERROR */
	CONN_END_DESTROYED, /* WSI_DESTROY with neither of those */
};

struct tx_message {
	struct tx_message *next;
	size_t size;
	unsigned char buf[]; /* LWS_PRE headroom, then the message */
};

struct agent_conn {
	struct fleet *fleet;
	struct lws_context *ctx;
	struct sim_agent *sim;
	struct lws *wsi;
	unsigned attempt;
	int64_t connect_at_us; /* next connection attempt; 0 while connected or connecting */
	int64_t beat_at_us;
	int64_t heard_at_us; /* last message from the hub */
	int close_code;
	struct tx_message *tx_head, *tx_tail;
	char *rx;
	size_t rx_size;
};

struct fleet {
	struct fleet_config config;
	char host_header[96];
	struct lws_context **ctxs;
	size_t n_ctxs;
	struct ev_loop *loop; /* epoll: poll() over thousands of sockets would cost more than the hub */
	void *loops[1];
	struct agent_conn *conns;
	size_t n, n_ready;
	lws_sorted_usec_list_t tick_sul;
	struct sim_counters counters;
	uint64_t heartbeats;
	uint64_t lost; /* connections libwebsockets freed without telling their agent */
	struct fleet_drops drops; /* welcomed connections that ended, by how */
	int64_t census_at_us;
	int64_t last_tick_us, paced_until_us;
	uint64_t deferred; /* connection attempts put off while the loop ran late */
	/* the wave in progress */
	bool wave_open;
	unsigned wave_index;
	int64_t wave_start_us;
	double wave_start_wall;
	uint64_t attempts, failures;
	struct event_times established, welcomed;
};

/* The agent's liveness policy: ping after 20 s without traffic, hang up after 60 s. */
static const lws_retry_bo_t liveness = {
	.secs_since_valid_ping = 20,
	.secs_since_valid_hangup = 60,
	.jitter_percent = BACKOFF_JITTER_PERCENT,
};

static double wall_now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

static uint32_t random_u32(void)
{
	uint32_t v = 0;
	if (getrandom(&v, sizeof(v), GRND_NONBLOCK) != sizeof(v))
		v = (uint32_t)lws_now_usecs();
	return v;
}

static void open_wave(struct fleet *f)
{
	f->wave_open = true;
	f->wave_start_us = lws_now_usecs();
	f->wave_start_wall = wall_now();
	f->attempts = f->failures = 0;
	event_times_clear(&f->established);
	event_times_clear(&f->welcomed);
}

static void close_wave(struct fleet *f)
{
	int64_t now = lws_now_usecs();
	struct wave_report r = {
		.index = f->wave_index++,
		.agents = f->n,
		.seconds = (double)(now - f->wave_start_us) / US_PER_S,
		.start_wall = f->wave_start_wall,
		.end_wall = wall_now(),
		.peak_established_per_s = event_times_peak_rate(&f->established, US_PER_S),
		.peak_welcomed_per_s = event_times_peak_rate(&f->welcomed, US_PER_S),
		.attempts = f->attempts,
		.failures = f->failures,
	};
	f->wave_open = false;
	if (f->config.on_wave)
		f->config.on_wave(f->config.userdata, &r);
}

static void tx_clear(struct agent_conn *c)
{
	while (c->tx_head) {
		struct tx_message *m = c->tx_head;
		c->tx_head = m->next;
		free(m);
	}
	c->tx_tail = NULL;
}

static void send_text(void *userdata, const char *text)
{
	struct agent_conn *c = userdata;
	if (!c->wsi)
		return;
	size_t size = strlen(text);
	struct tx_message *m = malloc(sizeof(*m) + LWS_PRE + size);
	if (!m)
		return;
	m->next = NULL;
	m->size = size;
	memcpy(m->buf + LWS_PRE, text, size);
	if (c->tx_tail)
		c->tx_tail->next = m;
	else
		c->tx_head = m;
	c->tx_tail = m;
	lws_callback_on_writable(c->wsi);
}

/* Retry as the agent does: jittered exponential backoff, slowest pace after a refusal. */
static void schedule_retry(struct agent_conn *c)
{
	uint32_t delay = backoff_delay_ms(c->attempt, BACKOFF_BASE_MS, BACKOFF_CAP_MS,
					  BACKOFF_JITTER_PERCENT, random_u32());
	if (c->close_code == CLOSE_AUTH_FAILED || c->close_code == CLOSE_DEREGISTERED ||
	    c->close_code == CLOSE_REPLACED)
		delay = BACKOFF_CAP_MS;
	if (c->attempt < 32)
		c->attempt++;
	c->connect_at_us = lws_now_usecs() + (int64_t)delay * 1000;
}

/* A welcomed connection ended: count how, to tell the hub's drops from the generator's. */
static void count_drop(struct agent_conn *c, enum conn_end how)
{
	struct fleet_drops *d = &c->fleet->drops;
	bool long_silent = lws_now_usecs() - c->heard_at_us >= 55LL * US_PER_S;
	if (how == CONN_END_ERROR)
		d->error++;
	else if (how == CONN_END_DESTROYED)
		d->destroyed++;
	else if (c->close_code == CLOSE_REPLACED)
		d->replaced++;
	else if (c->close_code)
		d->hub_close++;
	else if (long_silent)
		d->silent++;
	else
		d->socket++;
	if (c->close_code && c->close_code != CLOSE_REPLACED)
		d->last_hub_close_code = c->close_code;
}

static void conn_ended(struct agent_conn *c, enum conn_end how)
{
	struct fleet *f = c->fleet;
	bool failed = how != CONN_END_CLOSED;
	if (c->sim->ready)
		count_drop(c, how);
	c->wsi = NULL;
	tx_clear(c);
	free(c->rx);
	c->rx = NULL;
	c->rx_size = 0;
	if (c->sim->ready) {
		c->sim->ready = false;
		f->n_ready--;
		if (!f->wave_open)
			open_wave(f);
	}
	if (failed)
		f->failures++;
	schedule_retry(c);
}

static void welcomed(struct agent_conn *c)
{
	struct fleet *f = c->fleet;
	int64_t now = lws_now_usecs();
	c->attempt = 0;
	f->n_ready++;
	event_times_add(&f->welcomed, now);
	unsigned hb = f->config.heartbeat_seconds ? f->config.heartbeat_seconds
						  : c->sim->heartbeat_seconds;
	/* A random phase, so that heartbeats do not come in bursts. */
	c->beat_at_us = now + (int64_t)(random_u32() % (hb * 1000u)) * 1000;
	if (f->wave_open && f->n_ready == f->n)
		close_wave(f);
}

static void receive(struct agent_conn *c, const void *in, size_t len)
{
	if (lws_is_first_fragment(c->wsi))
		c->rx_size = 0;
	if (c->rx_size + len > FRAME_MAX_SIZE)
		return;
	char *grown = realloc(c->rx, c->rx_size + len + 1);
	if (!grown)
		return;
	c->rx = grown;
	memcpy(c->rx + c->rx_size, in, len);
	c->rx_size += len;
	c->rx[c->rx_size] = '\0';
	if (!lws_is_final_fragment(c->wsi))
		return;
	size_t size = c->rx_size;
	c->rx_size = 0;
	if (sim_agent_receive(c->sim, c->rx, size, &c->fleet->counters) == 1)
		welcomed(c);
}

static int write_one(struct agent_conn *c)
{
	struct tx_message *m = c->tx_head;
	if (!m)
		return 0;
	c->tx_head = m->next;
	if (!c->tx_head)
		c->tx_tail = NULL;
	int n = lws_write(c->wsi, m->buf + LWS_PRE, m->size, LWS_WRITE_TEXT);
	size_t size = m->size;
	free(m);
	if (n < (int)size)
		return -1;
	if (c->tx_head)
		lws_callback_on_writable(c->wsi);
	return 0;
}

static int callback(struct lws *wsi, enum lws_callback_reasons reason, void *user, void *in,
		    size_t len)
{
	(void)user;
	struct agent_conn *c = lws_get_opaque_user_data(wsi);
	if (!c)
		return 0;
	switch (reason) {
	case LWS_CALLBACK_CLIENT_ESTABLISHED:
		c->close_code = 0;
		c->heard_at_us = lws_now_usecs();
		sim_agent_reset(c->sim);
		event_times_add(&c->fleet->established, lws_now_usecs());
		break;
	case LWS_CALLBACK_CLIENT_RECEIVE:
		c->heard_at_us = lws_now_usecs();
		receive(c, in, len);
		break;
	case LWS_CALLBACK_CLIENT_WRITEABLE:
		return write_one(c);
	case LWS_CALLBACK_WS_PEER_INITIATED_CLOSE:
		if (len >= 2)
			c->close_code = (((const unsigned char *)in)[0] << 8) |
					((const unsigned char *)in)[1];
		break;
	case LWS_CALLBACK_CLIENT_CONNECTION_ERROR:
		if (wsi == c->wsi || !c->wsi)
			conn_ended(c, CONN_END_ERROR);
		break;
	case LWS_CALLBACK_CLIENT_CLOSED:
		if (wsi == c->wsi)
			conn_ended(c, CONN_END_CLOSED);
		break;
	case LWS_CALLBACK_WSI_DESTROY:
		/* libwebsockets 4.1 frees some client connections that fail while the hub is
		 * busy (a reconnection storm) with neither CONNECTION_ERROR nor CLIENT_CLOSED:
		 * without this the agent would keep a freed wsi and never retry. */
		if (wsi == c->wsi) {
			c->fleet->lost++;
			conn_ended(c, CONN_END_DESTROYED);
		}
		break;
	default:
		break;
	}
	return 0;
}

static const struct lws_protocols protocols[] = {
	{ PROTOCOL_SUBPROTOCOL, callback, 0, 4096, 0, NULL, 0 },
	{ NULL, NULL, 0, 0, 0, NULL, 0 },
};

static void start_connect(struct agent_conn *c)
{
	struct fleet *f = c->fleet;
	c->connect_at_us = 0;
	c->close_code = 0;
	f->attempts++;
	struct lws_client_connect_info info = {
		.context = c->ctx,
		.address = f->config.address,
		.port = f->config.port,
		.path = "/v1/connect",
		/* "address:port", as a Host header should be. libwebsockets 4.1 also queues a new
		 * client connection behind one still opening to the same host (HTTP/1 pipelining)
		 * when the host equals the address, and a queued websocket never opens. */
		.host = f->host_header,
		.origin = f->config.address,
		.protocol = PROTOCOL_SUBPROTOCOL,
		.local_protocol_name = PROTOCOL_SUBPROTOCOL,
		.retry_and_idle_policy = &liveness,
		.opaque_user_data = c,
		.pwsi = &c->wsi,
	};
	if (!lws_client_connect_via_info(&info) && c->connect_at_us == 0) {
		c->wsi = NULL;
		f->failures++;
		schedule_retry(c);
	}
}

static void heartbeat(struct agent_conn *c, int64_t now)
{
	struct fleet *f = c->fleet;
	unsigned hb = f->config.heartbeat_seconds ? f->config.heartbeat_seconds
						  : c->sim->heartbeat_seconds;
	c->beat_at_us = now + (int64_t)hb * US_PER_S;
	send_text(c, "{\"type\":\"heartbeat\"}");
	f->heartbeats++;
}

static void tick(lws_sorted_usec_list_t *sul)
{
	struct fleet *f = lws_container_of(sul, struct fleet, tick_sul);
	int64_t now = lws_now_usecs();
	if (f->last_tick_us && now - f->last_tick_us > TICK_US + LATE_TICK_US)
		f->paced_until_us = now + US_PER_S;
	f->last_tick_us = now;
	bool paced = now < f->paced_until_us;
	size_t handshakes = 0;
	for (size_t i = 0; paced && i < f->n; i++)
		handshakes += f->conns[i].wsi && !f->conns[i].sim->ready;
	for (size_t i = 0; i < f->n; i++) {
		struct agent_conn *c = &f->conns[i];
		if (!c->wsi && c->connect_at_us && now >= c->connect_at_us) {
			if (paced && handshakes >= HANDSHAKES_WHEN_LATE) {
				f->deferred++;
				continue;
			}
			start_connect(c);
			handshakes += c->wsi != NULL;
		} else if (c->wsi && c->sim->ready && now >= c->beat_at_us)
			heartbeat(c, now);
	}
	if (f->config.on_census && now >= f->census_at_us) {
		f->census_at_us = now + (int64_t)f->config.census_seconds * US_PER_S;
		struct fleet_census census;
		fleet_census(f, &census);
		f->config.on_census(f->config.userdata, &census);
	}
	lws_sul_schedule(f->ctxs[0], 0, &f->tick_sul, tick, TICK_US);
}

int fleet_new(const struct fleet_config *config, struct sim_agent *agents, size_t n,
	      struct fleet **ret, struct error *err)
{
	struct fleet *f = calloc(1, sizeof(*f));
	if (!f || !(f->conns = calloc(n, sizeof(*f->conns)))) {
		free(f);
		return error_set(err, ENOMEM, "out of memory");
	}
	f->config = *config;
	f->n = n;
	snprintf(f->host_header, sizeof(f->host_header), "%s:%d", config->address, config->port);
	f->n_ctxs = (n + AGENTS_PER_CONTEXT - 1) / AGENTS_PER_CONTEXT;
	if (!(f->ctxs = calloc(f->n_ctxs, sizeof(*f->ctxs)))) {
		fleet_free(f);
		return error_set(err, ENOMEM, "out of memory");
	}
	struct lws_context_creation_info info = {
		.port = CONTEXT_PORT_NO_LISTEN,
		.protocols = protocols,
		.gid = -1,
		.uid = -1,
	};
	lws_set_log_level(LLL_ERR, NULL);
	f->loop = ev_loop_new(EVBACKEND_EPOLL);
	f->loops[0] = f->loop;
	info.foreign_loops = f->loops;
	info.options = LWS_SERVER_OPTION_LIBEV;
	size_t made = 0;
	while (f->loop && made < f->n_ctxs && (f->ctxs[made] = lws_create_context(&info)))
		made++;
	if (made < f->n_ctxs) {
		fleet_free(f);
		return error_set(err, EIO, "cannot create the websocket context on libev"
				 " (is libwebsockets-evlib-ev installed?)");
	}
	int64_t now = lws_now_usecs();
	for (size_t i = 0; i < n; i++) {
		struct agent_conn *c = &f->conns[i];
		c->fleet = f;
		c->ctx = f->ctxs[i / AGENTS_PER_CONTEXT];
		c->sim = &agents[i];
		c->sim->send = send_text;
		c->sim->userdata = c;
		c->connect_at_us =
			now + 1 + (config->ramp_ms ? (int64_t)(random_u32() % config->ramp_ms) * 1000 : 0);
	}
	*ret = f;
	return 0;
}

int fleet_run(struct fleet *f, volatile sig_atomic_t *stop)
{
	open_wave(f);
	lws_sul_schedule(f->ctxs[0], 0, &f->tick_sul, tick, 1);
	while (!*stop)
		ev_run(f->loop, EVRUN_ONCE);
	return 0;
}

void fleet_counters(const struct fleet *f, struct sim_counters *ret, uint64_t *ret_heartbeats)
{
	*ret = f->counters;
	*ret_heartbeats = f->heartbeats;
}

void fleet_census(const struct fleet *f, struct fleet_census *ret)
{
	*ret = (struct fleet_census){ .lost = f->lost,
				     .drops = f->drops,
				     .deferred = f->deferred,
				     .assigns = f->counters.assigns };
	for (size_t i = 0; i < f->n; i++) {
		const struct agent_conn *c = &f->conns[i];
		if (!c->wsi)
			ret->waiting++;
		else if (c->sim->ready)
			ret->ready++;
		else
			ret->connecting++;
	}
}

void fleet_free(struct fleet *f)
{
	if (!f)
		return;
	for (size_t i = 0; f->ctxs && i < f->n_ctxs; i++)
		if (f->ctxs[i])
			lws_context_destroy(f->ctxs[i]);
	free(f->ctxs);
	if (f->loop)
		ev_loop_destroy(f->loop);
	for (size_t i = 0; i < f->n; i++) {
		tx_clear(&f->conns[i]);
		free(f->conns[i].rx);
	}
	event_times_release(&f->established);
	event_times_release(&f->welcomed);
	free(f->conns);
	free(f);
}
