/* A fleet of simulated agents on one libwebsockets client context: each keeps one websocket
 * to the hub, reconnects with the agent's jittered exponential backoff (agent/backoff.c),
 * sends heartbeats, and answers the hub through its sim_agent. The fleet reports each wave of
 * connections: the first start, and every return after the hub dropped agents. */
#pragma once

#include <signal.h>
#include <stddef.h>
#include <stdint.h>

#include "bench/loadgen/sim_agent.h"
#include "common/error.h"

struct wave_report {
	unsigned index;              /* 0: first start */
	size_t agents;
	double seconds;              /* first drop (or start) to the last welcome */
	double start_wall, end_wall; /* CLOCK_REALTIME seconds */
	double peak_established_per_s, peak_welcomed_per_s; /* best 1 s window */
	uint64_t attempts, failures; /* connection attempts in the wave, and those that failed */
};

/* How welcomed connections ended. */
struct fleet_drops {
	uint64_t hub_close; /* the hub sent a close frame (other than "replaced") */
	uint64_t replaced;  /* close 4005: the hub saw a newer connection of the same agent */
	uint64_t silent;    /* no close frame, nothing heard for 55 s: a liveness timeout, or
			     * a hub that stopped (it sends no close) while the link was idle */
	uint64_t socket;    /* no close frame: the socket ended */
	uint64_t error, destroyed; /* CONNECTION_ERROR, or freed with no close callback */
	int last_hub_close_code;
};

struct fleet_census;

struct fleet_config {
	const char *address;
	int port;
	unsigned heartbeat_seconds; /* 0: as the welcome says */
	unsigned ramp_ms;           /* first connections spread evenly at random over this */
	void (*on_wave)(void *userdata, const struct wave_report *r);
	unsigned census_seconds; /* on_census every this often (when set) */
	void (*on_census)(void *userdata, const struct fleet_census *c);
	void *userdata;
};

struct fleet;

/* agents stay owned by the caller and must outlive the fleet. */
int fleet_new(const struct fleet_config *c, struct sim_agent *agents, size_t n,
	      struct fleet **ret, struct error *err);
/* Serve until *stop is set. */
int fleet_run(struct fleet *f, volatile sig_atomic_t *stop);
void fleet_counters(const struct fleet *f, struct sim_counters *ret, uint64_t *ret_heartbeats);

/* Where the agents are: a stalled wave shows which state holds the missing ones. */
struct fleet_census {
	size_t ready;      /* welcomed */
	size_t connecting; /* a connection in libwebsockets, not welcomed yet */
	size_t waiting;    /* no connection: waiting for the first start or a retry */
	uint64_t lost;     /* connections ended without a close or error callback, ever */
	struct fleet_drops drops;
	uint64_t deferred; /* ticks an attempt was put off while the generator ran late */
	uint64_t assigns;  /* task assignments received, ever */
};
void fleet_census(const struct fleet *f, struct fleet_census *ret);
void fleet_free(struct fleet *f);
