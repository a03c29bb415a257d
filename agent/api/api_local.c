/* The local API's answers: the node, its tasks, one task. Tasks have the fields (and names)
 * of `tether status --json`, so that the command shows the daemon's answer as it showed the
 * files. */
#include <errno.h>
#include <string.h>

#include "agent/api/api_answer.h"
#include "agent/api/api_handlers.h"

static void add_string_or_null(cJSON *o, const char *name, const char *value)
{
	if (value)
		cJSON_AddStringToObject(o, name, value);
	else
		cJSON_AddNullToObject(o, name);
}

static cJSON *connection_json(const struct api_node *n)
{
	cJSON *c = cJSON_CreateObject();
	if (!c)
		return NULL;
	cJSON_AddStringToObject(c, "state", n->connected ? "connected" : "disconnected");
	if (n->link_since > 0)
		cJSON_AddNumberToObject(c, "since", (double)n->link_since);
	else
		cJSON_AddNullToObject(c, "since");
	add_string_or_null(c, "last_error", n->link_error);
	return c;
}

int api_get_metadata(const struct api_source *src, const char *arg, cJSON **ret)
{
	(void)arg;
	struct api_node n = { 0 };
	src->node(src->userdata, &n);
	cJSON *o = cJSON_CreateObject();
	if (!o)
		return 500;
	add_string_or_null(o, "cluster", n.cluster);
	add_string_or_null(o, "container_instance_arn", n.container_instance_arn);
	add_string_or_null(o, "node_id", n.node_id);
	add_string_or_null(o, "hub", n.hub_url);
	add_string_or_null(o, "state_dir", n.state_dir);
	add_string_or_null(o, "version", n.version);
	cJSON_AddNumberToObject(o, "started_at", (double)n.started_at);
	cJSON_AddItemToObject(o, "connection", connection_json(&n));
	*ret = o;
	return 200;
}

static cJSON *container_json(const struct container_view *c)
{
	cJSON *o = cJSON_CreateObject();
	if (!o)
		return NULL;
	cJSON_AddStringToObject(o, "name", c->name);
	cJSON_AddStringToObject(o, "image", c->image);
	cJSON_AddStringToObject(o, "status", c->known_status);
	if (c->health)
		cJSON_AddStringToObject(o, "health_status", c->health);
	if (c->health_output)
		cJSON_AddStringToObject(o, "health_output", c->health_output);
	if (c->has_exit_code)
		cJSON_AddNumberToObject(o, "exit_code", c->exit_code);
	if (c->reason)
		cJSON_AddStringToObject(o, "reason", c->reason);
	if (c->pid)
		cJSON_AddNumberToObject(o, "pid", c->pid);
	return o;
}

static cJSON *task_json(const struct task_view *t)
{
	cJSON *o = cJSON_CreateObject();
	if (!o)
		return NULL;
	cJSON_AddStringToObject(o, "task_arn", t->arn);
	cJSON_AddStringToObject(o, "task_id", t->id);
	add_string_or_null(o, "family", t->family);
	cJSON_AddStringToObject(o, "status", t->known_status);
	cJSON_AddStringToObject(o, "desired_status", t->desired_status);
	if (t->stop_code)
		cJSON_AddStringToObject(o, "stop_code", t->stop_code);
	if (t->stopped_reason)
		cJSON_AddStringToObject(o, "stopped_reason", t->stopped_reason);
	if (t->health)
		cJSON_AddStringToObject(o, "health_status", t->health);
	cJSON *containers = cJSON_AddArrayToObject(o, "containers");
	for (size_t i = 0; containers && i < t->n_containers; i++)
		cJSON_AddItemToArray(containers, container_json(&t->containers[i]));
	return o;
}

static int add_task(void *userdata, const struct task_view *view)
{
	cJSON *t = task_json(view);
	if (!t || !cJSON_AddItemToArray(userdata, t)) {
		cJSON_Delete(t);
		return -ENOMEM;
	}
	return 0;
}

int api_get_tasks(const struct api_source *src, const char *arg, cJSON **ret)
{
	(void)arg;
	cJSON *o = cJSON_CreateObject();
	cJSON *tasks = cJSON_AddArrayToObject(o, "tasks");
	if (!tasks || src->foreach_task(src->userdata, add_task, tasks) < 0) {
		cJSON_Delete(o);
		return 500;
	}
	*ret = o;
	return 200;
}

struct task_lookup {
	const char *wanted; /* an ARN or a task id */
	cJSON *found;
};

static int find_task(void *userdata, const struct task_view *view)
{
	struct task_lookup *l = userdata;
	if (strcmp(view->arn, l->wanted) && strcmp(view->id, l->wanted))
		return 0;
	l->found = task_json(view);
	return l->found ? 1 : -ENOMEM;
}

int api_get_task(const struct api_source *src, const char *arg, cJSON **ret)
{
	struct task_lookup l = { .wanted = arg };
	int r = src->foreach_task(src->userdata, find_task, &l);
	if (r < 0)
		return 500;
	if (!l.found)
		return api_error(ret, 404, "no task %s on this node", arg);
	*ret = l.found;
	return 200;
}
