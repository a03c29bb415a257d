#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "agent/daemon/daemon_api.h"
#include "agent/link/version.h"
#include "agent/metrics/agent_metrics_text.h"
#include "agent/state/daemon_state.h"
#include "agent/tasks/task_view.h"
#include "common/log.h"
#include "common/parse.h"

static void read_meta(struct daemon_api *a, const char *key, char **field)
{
	free(*field);
	*field = NULL;
	store_meta_get(a->store, key, field, NULL);
}

static void node_facts(void *userdata, struct api_node *ret)
{
	struct daemon_api *a = userdata;
	read_meta(a, META_CONNECTION, &a->link_state);
	read_meta(a, META_CONNECTION_SINCE, &a->link_since);
	read_meta(a, META_LAST_ERROR, &a->link_error);
	uint64_t since = 0, unsent = 0;
	bool connected = a->link_state && !strcmp(a->link_state, "connected");
	*ret = (struct api_node){
		.cluster = a->id->cluster,
		.container_instance_arn = a->id->container_instance_arn,
		.node_id = a->id->node_id,
		.hub_url = a->id->hub_url,
		.state_dir = a->state_dir,
		.version = TETHER_VERSION,
		.connected = connected,
		.link_since = a->link_since && parse_u64(a->link_since, 0, INT64_MAX, &since) >= 0
				      ? (int64_t)since
				      : 0,
		.link_error = connected ? NULL : a->link_error,
		.started_at = a->started_at,
		.unsent_state_changes = store_outbox_count(a->store, &unsent, NULL) >= 0
						? (int64_t)unsent
						: -1,
	};
}

static int foreach_task(void *userdata, api_task_fn fn, void *fn_userdata)
{
	struct daemon_api *a = userdata;
	return a->tm ? task_manager_foreach_view(a->tm, fn, fn_userdata) : 0;
}

static cJSON *node_health(void *userdata)
{
	struct daemon_api *a = userdata;
	return a->health ? node_health_json(a->health, time(NULL)) : NULL;
}

static int metrics_text(void *userdata, char **ret)
{
	struct daemon_api *a = userdata;
	struct task_status_counts tasks = { 0 };
	if (!a->health || !a->node_metrics)
		return -ENOENT;
	int r = foreach_task(a, task_view_count, &tasks);
	if (r < 0)
		return r;
	return agent_metrics_text(a->health, &tasks, a->node_metrics->latest,
				  a->node_metrics->n_latest, ret);
}

void daemon_api_init(struct daemon_api *a, const struct identity *id, const char *state_dir,
		     struct store *store)
{
	char *resolved = realpath(state_dir, NULL);
	*a = (struct daemon_api){
		.src = { .node = node_facts, .foreach_task = foreach_task, .node_health = node_health,
			 .metrics_text = metrics_text, .userdata = a },
		.id = id,
		.state_dir = resolved ? resolved : state_dir,
		.resolved_state_dir = resolved,
		.store = store,
		.started_at = time(NULL),
	};
}

static void start_local(struct daemon_api *a, struct lws_context *ctx, const char *path)
{
	struct error err = { 0 };
	if (api_listen_unix(ctx, path, &a->src, &a->local, &err) < 0) {
		log_error("Local API off: %s", err.message);
		return;
	}
	store_meta_set(a->store, META_API_SOCKET, path, NULL);
	log_info("Local API on %s", path);
}

static void start_metadata(struct daemon_api *a, struct lws_context *ctx, const char *address,
			   unsigned port)
{
	struct error err = { 0 };
	if (metadata_key_load(a->state_dir, &a->key, &err) < 0) {
		log_error("Task metadata endpoint off: %s", err.message);
		return;
	}
	a->src.metadata_key = &a->key;
	if (api_listen_metadata(ctx, address, port, &a->src, &a->metadata, &err) < 0) {
		a->src.metadata_key = NULL;
		log_error("Task metadata endpoint off: %s", err.message);
		return;
	}
	snprintf(a->metadata_base, sizeof(a->metadata_base), "http://%s:%u/v4/", address, port);
	log_info("Task metadata endpoint on %s:%u", address, port);
}

static void start_metrics(struct daemon_api *a, struct lws_context *ctx, const char *address,
			  unsigned port)
{
	struct error err = { 0 };
	if (api_listen_metrics(ctx, address, port, &a->src, &a->metrics, &err) < 0) {
		log_error("Metrics endpoint off: %s", err.message);
		return;
	}
	log_info("Metrics endpoint on http://%s:%u/metrics", address, port);
}

void daemon_api_start(struct daemon_api *a, struct lws_context *ctx, const struct run_options *o)
{
	store_meta_set(a->store, META_API_SOCKET, "", NULL);
	if (o->api_socket)
		start_local(a, ctx, o->api_socket);
	if (o->metadata_port)
		start_metadata(a, ctx, o->metadata_address, o->metadata_port);
	if (o->metrics_port)
		start_metrics(a, ctx, o->metrics_address, o->metrics_port);
}

char *daemon_api_metadata_uri(void *userdata, const char *task_arn, const char *container_name)
{
	struct daemon_api *a = userdata;
	char token[METADATA_TOKEN_HEX_LEN + 1], *uri;
	if (!a->metadata ||
	    metadata_token(&a->key, task_arn, container_name, token) < 0 ||
	    asprintf(&uri, "%s%s", a->metadata_base, token) < 0)
		return NULL;
	return uri;
}

void daemon_api_stop(struct daemon_api *a)
{
	if (a->local)
		store_meta_set(a->store, META_API_SOCKET, "", NULL);
}

void daemon_api_release(struct daemon_api *a)
{
	api_listener_free(a->local);
	api_listener_free(a->metadata);
	api_listener_free(a->metrics);
	a->local = a->metadata = a->metrics = NULL;
	free(a->resolved_state_dir);
	a->resolved_state_dir = NULL;
	free(a->link_state);
	free(a->link_since);
	free(a->link_error);
	a->link_state = a->link_since = a->link_error = NULL;
}
