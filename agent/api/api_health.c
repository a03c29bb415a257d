/* The node's health as the daemon knows it. api_health_json is the one place that decides what
 * /v1/health holds. */
#include <errno.h>
#include <string.h>
#include <time.h>

#include "agent/api/api_answer.h"
#include "agent/api/api_handlers.h"

struct task_counts {
	double pending, running, stopped;
};

static int count_task(void *userdata, const struct task_view *view)
{
	struct task_counts *c = userdata;
	if (!strcmp(view->known_status, "PENDING"))
		c->pending++;
	else if (!strcmp(view->known_status, "RUNNING"))
		c->running++;
	else
		c->stopped++;
	return 0;
}

cJSON *api_health_json(const struct api_source *src)
{
	struct api_node n = { 0 };
	src->node(src->userdata, &n);
	struct task_counts counts = { 0 };
	if (src->foreach_task(src->userdata, count_task, &counts) < 0)
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
	cJSON_AddNumberToObject(tasks, "PENDING", counts.pending);
	cJSON_AddNumberToObject(tasks, "RUNNING", counts.running);
	cJSON_AddNumberToObject(tasks, "STOPPED", counts.stopped);
	if (n.unsent_state_changes >= 0)
		cJSON_AddNumberToObject(o, "unsent_state_changes", (double)n.unsent_state_changes);
	return o;
}

int api_get_health(const struct api_source *src, const char *arg, cJSON **ret)
{
	(void)arg;
	*ret = api_health_json(src);
	return *ret ? 200 : 500;
}
