/* The frames in which the node describes itself to the hub: hello (identity, signature over
 * the hub's nonce, resources, attributes) and node_status. */
#pragma once

#include <stddef.h>

#include <cjson/cJSON.h>
#include <openssl/evp.h>

#include "agent/link/hostinfo.h"
#include "common/error.h"

/* Frame text, caller frees; NULL with err on failure. */
char *node_hello_frame(const char *node_id, EVP_PKEY *key, const char *nonce,
		       const struct hostinfo *host, struct error *err);

/* What a node_status frame says besides the resources (docs/protocol.md). */
struct node_status_report {
	size_t running_tasks;
	size_t tasks_pending, tasks_running, tasks_stopped;
	double connected_since; /* this node's clock, seconds since the epoch */
	cJSON *health;          /* taken (freed here), may be NULL */
};

/* Frame text, caller frees; NULL on allocation failure. */
char *node_status_frame(const struct node_status_report *r, const struct hostinfo *host);
