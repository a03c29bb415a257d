/* The task metadata endpoint's answers, in the spirit of ECS's v4 (the field names where ECS
 * has them): a container's own metadata, its task's, and their cgroups' statistics. A token
 * names one container; what it answers is that container's task and nothing else. */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "agent/api/api_answer.h"
#include "agent/api/api_handlers.h"
#include "cgroups/cgroup.h"
#include "common/task_id.h"
#include "container/state_folder.h"

enum metadata_what { WHAT_CONTAINER, WHAT_TASK, WHAT_CONTAINER_STATS, WHAT_TASK_STATS };

struct metadata_lookup {
	const struct api_source *src;
	const char *token;
	enum metadata_what what;
	const char *cluster;
	cJSON *found;
	bool matched;
};

/* RFC 3339 with nanoseconds, as ECS writes its times. */
static void add_time(cJSON *o, const char *name, const struct timespec *ts)
{
	struct tm tm;
	char text[64], out[80];
	time_t secs = ts->tv_sec;
	if (!gmtime_r(&secs, &tm) || !strftime(text, sizeof(text), "%Y-%m-%dT%H:%M:%S", &tm))
		return;
	snprintf(out, sizeof(out), "%s.%09ldZ", text, ts->tv_nsec);
	cJSON_AddStringToObject(o, name, out);
}

/* When the file FILE of the container's folder was written. */
static void add_file_time(cJSON *o, const char *name, const char *dir, const char *file)
{
	char path[4200];
	struct stat st;
	if (snprintf(path, sizeof(path), "%s/%s", dir, file) < (int)sizeof(path) &&
	    stat(path, &st) == 0)
		add_time(o, name, &st.st_mtim);
}

static cJSON *labels_json(const char *cluster, const struct task_view *t,
			  const struct container_view *c)
{
	cJSON *l = cJSON_CreateObject();
	if (cluster)
		cJSON_AddStringToObject(l, "com.amazonaws.ecs.cluster", cluster);
	cJSON_AddStringToObject(l, "com.amazonaws.ecs.container-name", c->name);
	cJSON_AddStringToObject(l, "com.amazonaws.ecs.task-arn", t->arn);
	if (t->family)
		cJSON_AddStringToObject(l, "com.amazonaws.ecs.task-definition-family", t->family);
	return l;
}

static cJSON *container_metadata(const char *cluster, const struct task_view *t,
				 const struct container_view *c)
{
	char id[512];
	container_runtime_id(t->id, c->name, id, sizeof(id));
	cJSON *o = cJSON_CreateObject();
	if (!o)
		return NULL;
	cJSON_AddStringToObject(o, "DockerId", id);
	cJSON_AddStringToObject(o, "Name", c->name);
	cJSON_AddStringToObject(o, "DockerName", id);
	cJSON_AddStringToObject(o, "Image", c->image);
	cJSON_AddItemToObject(o, "Labels", labels_json(cluster, t, c));
	cJSON_AddStringToObject(o, "DesiredStatus", t->desired_status);
	cJSON_AddStringToObject(o, "KnownStatus", c->known_status);
	if (c->has_exit_code)
		cJSON_AddNumberToObject(o, "ExitCode", c->exit_code);
	cJSON *limits = cJSON_AddObjectToObject(o, "Limits");
	cJSON_AddNumberToObject(limits, "CPU", c->cpu);
	if (c->memory_mib)
		cJSON_AddNumberToObject(limits, "Memory", c->memory_mib);
	add_file_time(o, "CreatedAt", c->dir, CONTAINER_CONFIG_FILE);
	if (c->pid || c->has_exit_code)
		add_file_time(o, "StartedAt", c->dir, CONTAINER_PID_FILE);
	if (c->health) {
		cJSON *health = cJSON_AddObjectToObject(o, "Health");
		cJSON_AddStringToObject(health, "status", c->health);
		if (c->health_output)
			cJSON_AddStringToObject(health, "output", c->health_output);
	}
	/* As ECS's agent: for a container whose restart policy is enabled. */
	if (c->has_restart_policy)
		cJSON_AddNumberToObject(o, "RestartCount", c->restart_count);
	cJSON_AddStringToObject(o, "Type", "NORMAL");
	return o;
}

static void add_unix_time(cJSON *o, const char *name, double seconds)
{
	if (seconds <= 0)
		return;
	struct timespec ts = { .tv_sec = (time_t)seconds,
			       .tv_nsec = (long)((seconds - (double)(time_t)seconds) * 1e9) };
	add_time(o, name, &ts);
}

static cJSON *task_metadata(const char *cluster, const struct task_view *t)
{
	cJSON *o = cJSON_CreateObject();
	if (!o)
		return NULL;
	if (cluster)
		cJSON_AddStringToObject(o, "Cluster", cluster);
	cJSON_AddStringToObject(o, "TaskARN", t->arn);
	if (t->family)
		cJSON_AddStringToObject(o, "Family", t->family);
	cJSON_AddStringToObject(o, "DesiredStatus", t->desired_status);
	cJSON_AddStringToObject(o, "KnownStatus", t->known_status);
	cJSON *limits = cJSON_AddObjectToObject(o, "Limits");
	if (t->cpu)
		cJSON_AddNumberToObject(limits, "CPU", t->cpu / 1024.0);
	if (t->memory_mib)
		cJSON_AddNumberToObject(limits, "Memory", t->memory_mib);
	add_unix_time(o, "PullStartedAt", t->pull_started_at);
	add_unix_time(o, "PullStoppedAt", t->pull_stopped_at);
	cJSON_AddStringToObject(o, "LaunchType", "EXTERNAL");
	cJSON *containers = cJSON_AddArrayToObject(o, "Containers");
	for (size_t i = 0; containers && i < t->n_containers; i++)
		cJSON_AddItemToArray(containers, container_metadata(cluster, t, &t->containers[i]));
	return o;
}

/* Docker's statistics names, which ECS's v4 stats carry; null for a container with no cgroup
 * to read (not started, or ended and removed). */
static cJSON *container_stats(const struct task_view *t, const struct container_view *c)
{
	struct cgroup_stats s;
	if (!c->cgroup || cgroup_read_stats(c->cgroup, &s, NULL) < 0)
		return cJSON_CreateNull();
	char id[512];
	container_runtime_id(t->id, c->name, id, sizeof(id));
	cJSON *o = cJSON_CreateObject();
	if (!o)
		return NULL;
	struct timespec now;
	clock_gettime(CLOCK_REALTIME, &now);
	add_time(o, "read", &now);
	cJSON_AddStringToObject(o, "id", id);
	cJSON_AddStringToObject(o, "name", c->name);
	cJSON *cpu = cJSON_AddObjectToObject(o, "cpu_stats");
	cJSON *usage = cJSON_AddObjectToObject(cpu, "cpu_usage");
	cJSON_AddNumberToObject(usage, "total_usage", (double)s.cpu_usage_usec * 1000);
	cJSON_AddNumberToObject(usage, "usage_in_usermode", (double)s.cpu_user_usec * 1000);
	cJSON_AddNumberToObject(usage, "usage_in_kernelmode", (double)s.cpu_system_usec * 1000);
	if (s.has_cpu_throttling) {
		cJSON *th = cJSON_AddObjectToObject(cpu, "throttling_data");
		cJSON_AddNumberToObject(th, "throttled_periods", (double)s.cpu_nr_throttled);
		cJSON_AddNumberToObject(th, "throttled_time", (double)s.cpu_throttled_usec * 1000);
	}
	cJSON *mem = cJSON_AddObjectToObject(o, "memory_stats");
	if (s.has_memory)
		cJSON_AddNumberToObject(mem, "usage", (double)s.memory_current_bytes);
	if (s.has_memory_peak)
		cJSON_AddNumberToObject(mem, "max_usage", (double)s.memory_peak_bytes);
	cJSON *pids = cJSON_AddObjectToObject(o, "pids_stats");
	if (s.has_pids)
		cJSON_AddNumberToObject(pids, "current", (double)s.pids_current);
	if (s.has_io) {
		cJSON *io = cJSON_AddArrayToObject(cJSON_AddObjectToObject(o, "blkio_stats"),
						   "io_service_bytes_recursive");
		cJSON *rd = cJSON_CreateObject(), *wr = cJSON_CreateObject();
		cJSON_AddStringToObject(rd, "op", "read");
		cJSON_AddNumberToObject(rd, "value", (double)s.io_read_bytes);
		cJSON_AddStringToObject(wr, "op", "write");
		cJSON_AddNumberToObject(wr, "value", (double)s.io_write_bytes);
		cJSON_AddItemToArray(io, rd);
		cJSON_AddItemToArray(io, wr);
	}
	return o;
}

static cJSON *task_stats(const struct task_view *t)
{
	cJSON *o = cJSON_CreateObject();
	for (size_t i = 0; o && i < t->n_containers; i++) {
		char id[512];
		container_runtime_id(t->id, t->containers[i].name, id, sizeof(id));
		cJSON_AddItemToObject(o, id, container_stats(t, &t->containers[i]));
	}
	return o;
}

static int find_container(void *userdata, const struct task_view *t)
{
	struct metadata_lookup *l = userdata;
	for (size_t i = 0; i < t->n_containers && !l->matched; i++) {
		const struct container_view *c = &t->containers[i];
		char token[METADATA_TOKEN_HEX_LEN + 1];
		if (metadata_token(l->src->metadata_key, t->arn, c->name, token) < 0)
			return -ENOMEM;
		if (!metadata_token_equal(token, l->token))
			continue;
		l->matched = true;
		switch (l->what) {
		case WHAT_CONTAINER: l->found = container_metadata(l->cluster, t, c); break;
		case WHAT_TASK: l->found = task_metadata(l->cluster, t); break;
		case WHAT_CONTAINER_STATS: l->found = container_stats(t, c); break;
		case WHAT_TASK_STATS: l->found = task_stats(t); break;
		}
		return l->found ? 0 : -ENOMEM;
	}
	return 0;
}

static int lookup(const struct api_source *src, const char *token, enum metadata_what what,
		  cJSON **ret)
{
	if (!src->metadata_key)
		return api_error(ret, 404, "the task metadata endpoint is off");
	struct api_node n = { 0 };
	src->node(src->userdata, &n);
	struct metadata_lookup l = { .src = src, .token = token, .what = what,
				     .cluster = n.cluster };
	if (src->foreach_task(src->userdata, find_container, &l) < 0) {
		cJSON_Delete(l.found);
		return 500;
	}
	if (!l.matched)
		return api_error(ret, 404, "unknown container token");
	*ret = l.found;
	return 200;
}

int task_metadata_get_container(const struct api_source *src, const char *arg, cJSON **ret)
{
	return lookup(src, arg, WHAT_CONTAINER, ret);
}

int task_metadata_get_task(const struct api_source *src, const char *arg, cJSON **ret)
{
	return lookup(src, arg, WHAT_TASK, ret);
}

int task_metadata_get_container_stats(const struct api_source *src, const char *arg,
				      cJSON **ret)
{
	return lookup(src, arg, WHAT_CONTAINER_STATS, ret);
}

int task_metadata_get_task_stats(const struct api_source *src, const char *arg, cJSON **ret)
{
	return lookup(src, arg, WHAT_TASK_STATS, ret);
}
