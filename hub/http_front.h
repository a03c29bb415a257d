/* What the hub's HTTP requests (the operator API and registration) need from the server that
 * owns the listener: the store and how the hub was started. One per server. */
#pragma once

#include <stdbool.h>

#include "common/error.h"
#include "hub/link_stats.h"
#include "hub/metrics/api_counters.h"
#include "hub/metrics/metrics_window.h"
#include "hub/server.h"
#include "hub/store/store.h"

#include "hub/operator_auth.h"

struct register_throttle;

struct http_front {
	struct hub_store *store;
	bool dev; /* unsigned operator requests accepted from loopback */
	bool tls; /* the listener serves HTTPS */
	struct register_throttle *register_throttle; /* wrong activation codes (hub/register_throttle.h) */
	/* Signed operator requests: the access keys (NULL without a database file) and the
	 * signatures already accepted. */
	struct operator_auth_context auth;
	/* GET /metrics: the containers' samples the links bring, the API's requests counted
	 * here, the server's link counters. */
	struct metrics_window *metrics;
	struct api_counters api_counters;
	const struct link_stats *link_stats;
};

/* Seconds of CLOCK_MONOTONIC, for what the front times (throttles, signature windows run on
 * the wall clock instead). */
double http_front_monotonic(void);

int http_front_new(const struct hub_server_config *cfg, struct hub_store *store,
		   struct http_front **ret, struct error *err);
void http_front_free(struct http_front *front);
