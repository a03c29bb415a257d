/* Enrolment of a simulated fleet as real agents do it: SSM activations from the operator API
 * (at most 1,000 registrations each, as SSM allows), then one POST /v1/register per agent with
 * a fresh Ed25519 key. */
#pragma once

#include <stddef.h>

#include "agent/link/hostinfo.h"
#include "bench/loadgen/sim_agent.h"
#include "common/error.h"

struct enroll_config {
	const char *hub_url; /* http://127.0.0.1:PORT */
	const char *cluster;
	const struct hostinfo *host;
};

/* Fill node_id and key of agents[0..n). */
int enroll_fleet(const struct enroll_config *c, struct sim_agent *agents, size_t n,
		 struct error *err);
