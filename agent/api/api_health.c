/* The node's health as the daemon knows it. api_health_json is the one place that decides what
 * /v1/health holds. */
#include <errno.h>
#include <string.h>
#include <time.h>

#include "agent/api/api_answer.h"
#include "agent/api/api_handlers.h"

cJSON *api_health_json(const struct api_source *src)
{
	struct api_node n = { 0 };
	src->node(src->userdata, &n);
	struct task_status_counts counts = { 0 };
	if (src->foreach_task(src->userdata, task_view_count, &counts) < 0)
		return NULL;
	cJSON *o = cJSON_CreateObject();
	cJSON *link = cJSON_AddObjectToObject(o, "link");
	cJSON *tasks = cJSON_AddObjectToObject(o, "tasks");
	if (!link || !tasks) {
		cJSON_Delete(o);
		return NULL;
	}
	cJSON_AddStringToObject(link, "state", n.connected ? "connected" : "disconnected");
	if (n.link_since > 0)
		cJSON_AddNumberToObject(link, "since", (double)n.link_since);
	if (!n.connected && n.link_error)
		cJSON_AddStringToObject(link, "last_error", n.link_error);
	int64_t now = time(NULL);
	cJSON_AddNumberToObject(o, "uptime_seconds",
				n.started_at > 0 && now >= n.started_at ? (double)(now - n.started_at)
									: 0);
	cJSON_AddNumberToObject(tasks, "PENDING", (double)counts.pending);
	cJSON_AddNumberToObject(tasks, "RUNNING", (double)counts.running);
	cJSON_AddNumberToObject(tasks, "STOPPED", (double)counts.stopped);
	if (n.unsent_state_changes >= 0)
		cJSON_AddNumberToObject(o, "unsent_state_changes", (double)n.unsent_state_changes);
	/* The verdict, self-checks and facts of the last round, as the hub is told them. */
	cJSON *node = src->node_health ? src->node_health(src->userdata) : NULL;
	if (node)
		cJSON_AddItemToObject(o, "node", node);
	return o;
}

int api_get_health(const struct api_source *src, const char *arg, cJSON **ret)
{
	(void)arg;
	*ret = api_health_json(src);
	return *ret ? 200 : 500;
}

int api_get_metrics(const struct api_source *src, char **ret)
{
	if (!src->metrics_text) {
		*ret = strdup("# this agent keeps no metrics\n");
		return 404;
	}
	return src->metrics_text(src->userdata, ret) < 0 ? 500 : 200;
}
