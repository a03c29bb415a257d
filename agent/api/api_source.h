/* What the local API and the task metadata endpoint answer from: the daemon fills a
 * struct api_source with its facts and a way to walk its tasks (agent/tasks/task_view.h). The
 * answers (agent/api/api_routes.c) read only this, so tests and the fuzzer give them the same
 * shape of facts as the daemon does. */
#pragma once

#include <stdbool.h>
#include <stdint.h>

#include <cjson/cJSON.h>

#include "agent/api/metadata_token.h"
#include "agent/tasks/task_view.h"

struct api_node {
	const char *cluster;
	const char *container_instance_arn;
	const char *node_id;
	const char *hub_url;
	const char *state_dir;
	const char *version;
	bool connected;
	int64_t link_since;       /* unix seconds of the last change of the link; 0: unknown */
	const char *link_error;   /* why it is down; NULL when up */
	int64_t started_at;       /* unix seconds the daemon started */
	int64_t unsent_state_changes; /* task_state frames not yet acknowledged; -1: unknown */
};

typedef int (*api_task_fn)(void *userdata, const struct task_view *view);

struct api_source {
	/* The node's facts, now. */
	void (*node)(void *userdata, struct api_node *ret);
	/* FN for every task; the first negative value FN returns ends the walk and is returned. */
	int (*foreach_task)(void *userdata, api_task_fn fn, void *fn_userdata);
	void *userdata;
	/* The task metadata endpoint's key; NULL when the endpoint is off. */
	const struct metadata_key *metadata_key;
	/* The node's health round (agent/health/) as JSON, new; NULL when none was taken yet or
	 * no source has one. */
	cJSON *(*node_health)(void *userdata);
	/* The node's metrics as Prometheus text in *ret (agent/metrics/agent_metrics_text.h);
	 * -ENOMEM. NULL when no source has them. */
	int (*metrics_text)(void *userdata, char **ret);
};
