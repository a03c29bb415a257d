/* The daemon's side of its HTTP servers (agent/api/): the facts they answer from, read from
 * the identity, the state database and the task manager when asked, and the servers' start
 * on the daemon's context. A server that cannot start is logged and left off: the hub link
 * and the tasks run on without it. */
#pragma once

#include <libwebsockets.h>

#include "agent/api/api_server.h"
#include "agent/api/api_source.h"
#include "agent/daemon/run_options.h"
#include "agent/health/node_health.h"
#include "agent/link/identity.h"
#include "agent/metrics/node_metrics.h"
#include "agent/state/store.h"
#include "agent/tasks/task_manager.h"

struct daemon_api {
	struct api_source src;
	struct metadata_key key;
	struct api_listener *local, *metadata, *metrics;
	char metadata_base[64]; /* "http://127.0.0.1:51679/v4/" while the endpoint listens */
	const struct identity *id;
	const char *state_dir;    /* resolved (realpath), as `tether status` compares it */
	char *resolved_state_dir; /* owned; NULL when it could not be resolved */
	struct store *store;
	struct task_manager *tm;
	/* The node's last health round and metrics (set by the daemon once they exist). */
	const struct node_health *health;
	const struct node_metrics *node_metrics;
	int64_t started_at;
	char *link_state, *link_since, *link_error; /* the last read of the store's meta */
};

/* Before the task manager is made: what the servers answer from (TM may be set later). */
void daemon_api_init(struct daemon_api *a, const struct identity *id, const char *state_dir,
		     struct store *store);

/* Once the context exists and before any container starts. */
void daemon_api_start(struct daemon_api *a, struct lws_context *ctx, const struct run_options *o);

/* The task manager's metadata_uri (agent/tasks/task_manager.h), USERDATA a struct daemon_api. */
char *daemon_api_metadata_uri(void *userdata, const char *task_arn, const char *container_name);

/* While the store is open, before the context goes: the socket is no longer announced. */
void daemon_api_stop(struct daemon_api *a);
/* After the context was destroyed. */
void daemon_api_release(struct daemon_api *a);
