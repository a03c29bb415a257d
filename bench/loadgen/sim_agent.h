/* One simulated agent's side of the link (docs/protocol.md), free of sockets: frames in, frames
 * out through a send callback. It answers the challenge with a signed hello, acks
 * assignments and stops, reports each assigned task PENDING then RUNNING at once (STOPPED on a
 * stop), keeps every task_state until the hub acks it and replays them after each welcome, as
 * the real agent's outbox does, only in memory. */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <openssl/evp.h>

#include "agent/link/hostinfo.h"

struct sim_pending;
struct sim_task;

struct sim_agent {
	char node_id[32];
	EVP_PKEY *key;
	const struct hostinfo *host; /* shared by the whole fleet */
	bool ready;                  /* welcome received on the current connection */
	unsigned heartbeat_seconds;  /* from the last welcome */
	uint64_t seq;                /* last task_state seq used */
	struct sim_pending *pending; /* unacknowledged task_state frames, in seq order */
	struct sim_task *tasks;
	void (*send)(void *userdata, const char *text);
	void *userdata;
};

struct sim_counters {
	uint64_t assigns, stops, states_sent, acks_received, errors_received;
};

/* A new connection: nothing is authenticated yet. */
void sim_agent_reset(struct sim_agent *a);
/* One whole received message. Returns 1 when it was the welcome. */
int sim_agent_receive(struct sim_agent *a, const char *data, size_t size,
		      struct sim_counters *counters);
void sim_agent_release(struct sim_agent *a);
