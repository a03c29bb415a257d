/* tether status: registration, connection and tasks. While the daemon runs they are its own
 * answers, through its local API (agent/api/); otherwise they are read from the state
 * directory (state.db is opened read-only; WAL lets it read while the daemon writes). */
#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <cjson/cJSON.h>

#include "agent/cli/api_client.h"
#include "agent/cli/commands.h"
#include "agent/link/identity.h"
#include "agent/state/daemon_state.h"
#include "agent/state/store.h"
#include "agent/tasks/task_manager.h"
#include "common/cleanup.h"
#include "common/fileio.h"
#include "common/log.h"
#include "common/parse.h"
#include "common/task_id.h"

static cJSON *meta_json(struct store *s)
{
	static const char *const keys[] = { META_CONNECTION, META_CONNECTION_SINCE,
					    META_LAST_ERROR };
	static const char *const names[] = { "state", "since", "last_error" };
	cJSON *j = cJSON_CreateObject();
	for (size_t i = 0; j && i < ELEMENTSOF(keys); i++) {
		_cleanup_free_ char *v = NULL;
		if (s && store_meta_get(s, keys[i], &v, NULL) >= 0 && v) {
			uint64_t n;
			if (i == 1 && parse_u64(v, 0, INT64_MAX, &n) >= 0)
				cJSON_AddNumberToObject(j, names[i], (double)n);
			else
				cJSON_AddStringToObject(j, names[i], v);
		} else {
			cJSON_AddNullToObject(j, names[i]);
		}
	}
	if (j && !cJSON_GetObjectItem(j, "state")->valuestring)
		cJSON_ReplaceItemInObject(j, "state", cJSON_CreateString("unknown"));
	return j;
}

struct task_list {
	cJSON *tasks;
	const char *state_dir;
};

/* A task whose images are being fetched: how far they have come (agent/tasks/task_manager.h). */
static void add_pull_progress(cJSON *t, const char *state_dir, const char *task_arn)
{
	_cleanup_free_ char *id = NULL, *path = NULL, *text = NULL;
	if (task_id_from_arn(task_arn, &id) < 0 ||
	    asprintf(&path, "%s/tasks/%s/" TASK_PULL_PROGRESS_FILE, state_dir, id) < 0 ||
	    read_file_full(path, 4096, &text, NULL) < 0)
		return;
	cJSON *pull = cJSON_Parse(text);
	if (cJSON_IsNumber(cJSON_GetObjectItem(pull, "bytes_done")) &&
	    cJSON_IsNumber(cJSON_GetObjectItem(pull, "bytes_total")))
		cJSON_AddItemToObject(t, "pull", pull);
	else
		cJSON_Delete(pull);
}

static int add_task(void *userdata, const char *task_arn, const char *definition_json,
		    const char *status, const char *last_state_json)
{
	(void)definition_json;
	struct task_list *list = userdata;
	cJSON *tasks = list->tasks;
	cJSON *t = cJSON_CreateObject();
	if (!t)
		return -ENOMEM;
	cJSON_AddStringToObject(t, "task_arn", task_arn);
	if (status)
		cJSON_AddStringToObject(t, "status", status);
	else
		cJSON_AddStringToObject(t, "status", "ASSIGNED");
	cJSON *last = last_state_json ? cJSON_Parse(last_state_json) : NULL;
	if (last) {
		static const char *const copied[] = { "stop_code", "stopped_reason", "containers",
						      "health_status" };
		for (size_t i = 0; i < ELEMENTSOF(copied); i++) {
			cJSON *v = cJSON_DetachItemFromObjectCaseSensitive(last, copied[i]);
			if (v)
				cJSON_AddItemToObject(t, copied[i], v);
		}
		cJSON_Delete(last);
	}
	add_pull_progress(t, list->state_dir, task_arn);
	cJSON_AddItemToArray(tasks, t);
	return 0;
}

/* The pid in agent.lock while that process lives: the daemon of this state dir, most likely
 * (the lock itself is not tried: a daemon starting at that moment would find it taken). */
static long daemon_pid(const char *state_dir)
{
	_cleanup_free_ char *path = NULL, *text = NULL;
	uint64_t pid;
	if (asprintf(&path, "%s/agent.lock", state_dir) < 0 ||
	    read_file_full(path, 64, &text, NULL) < 0)
		return 0;
	text[strcspn(text, "\n")] = '\0';
	if (parse_u64(text, 1, INT32_MAX, &pid) < 0 || (kill((pid_t)pid, 0) < 0 && errno != EPERM))
		return 0;
	return (long)pid;
}

static cJSON *api_get(const char *socket_path, const char *path, struct error *err)
{
	int status = 0;
	cJSON *body = NULL;
	if (api_client_get(socket_path, path, &status, &body, err) < 0)
		return NULL;
	if (status != 200 || !body) {
		const char *why = cJSON_GetStringValue(cJSON_GetObjectItem(body, "error"));
		error_set(err, EPROTO, "%s answered %d%s%s", path, status, why ? ": " : "",
			  why ? why : "");
		cJSON_Delete(body);
		return NULL;
	}
	return body;
}

static void replace_item(cJSON *j, const char *name, cJSON *item)
{
	if (item)
		cJSON_ReplaceItemInObject(j, name, item);
}

/* The daemon's own view through its socket, in place of what the files say. */
static int merge_answers(cJSON *j, const char *state_dir, const char *socket_path, cJSON *meta,
			 cJSON *tasks, cJSON *health, struct error *err)
{
	if (!meta || !tasks || !health)
		return -EIO;
	/* Compared as the daemon resolved its own (daemon_api.c): either may have been given
	 * relative, or through a link. */
	const char *dir = cJSON_GetStringValue(cJSON_GetObjectItem(meta, "state_dir"));
	_cleanup_free_ char *ours = realpath(state_dir, NULL);
	if (!dir || strcmp(dir, ours ? ours : state_dir))
		return error_set(err, ESTALE, "%s is the socket of the agent of %s", socket_path,
				 dir ? dir : "another state dir");
	replace_item(j, "connection", cJSON_DetachItemFromObject(meta, "connection"));
	cJSON *list = cJSON_DetachItemFromObject(tasks, "tasks");
	cJSON *t;
	cJSON_ArrayForEach(t, list) {
		const char *arn = cJSON_GetStringValue(cJSON_GetObjectItem(t, "task_arn"));
		if (arn)
			add_pull_progress(t, state_dir, arn);
	}
	replace_item(j, "tasks", list);
	replace_item(j, "unsent_state_changes",
		     cJSON_DetachItemFromObject(health, "unsent_state_changes"));
	return 0;
}

static int merge_from_daemon(cJSON *j, const char *state_dir, const char *socket_path,
			     struct error *err)
{
	cJSON *meta = api_get(socket_path, "/v1/metadata", err);
	cJSON *tasks = meta ? api_get(socket_path, "/v1/tasks", err) : NULL;
	cJSON *health = tasks ? api_get(socket_path, "/v1/health", err) : NULL;
	int r = merge_answers(j, state_dir, socket_path, meta, tasks, health, err);
	cJSON_Delete(meta);
	cJSON_Delete(tasks);
	cJSON_Delete(health);
	return r;
}

static void add_daemon(cJSON *j, const char *state_dir, const char *socket_path)
{
	cJSON *d = cJSON_AddObjectToObject(j, "daemon");
	long pid = daemon_pid(state_dir);
	cJSON_AddBoolToObject(d, "running", pid != 0);
	if (!pid)
		return;
	cJSON_AddNumberToObject(d, "pid", (double)pid);
	struct error err = { 0 };
	if (!socket_path || !socket_path[0]) {
		cJSON_AddNullToObject(d, "socket");
		cJSON_AddStringToObject(d, "api_error", "its local API is off");
		return;
	}
	cJSON_AddStringToObject(d, "socket", socket_path);
	if (merge_from_daemon(j, state_dir, socket_path, &err) < 0)
		cJSON_AddStringToObject(d, "api_error", err.message);
}

static cJSON *collect_status(const char *state_dir)
{
	cJSON *j = cJSON_CreateObject();
	if (!j)
		return NULL;
	struct identity id = { 0 };
	struct error err = { 0 };
	cJSON *reg = cJSON_AddObjectToObject(j, "registration");
	if (identity_load(state_dir, &id, &err) >= 0) {
		cJSON_AddBoolToObject(reg, "registered", true);
		cJSON_AddStringToObject(reg, "node_id", id.node_id);
		cJSON_AddStringToObject(reg, "container_instance_arn", id.container_instance_arn);
		cJSON_AddStringToObject(reg, "cluster", id.cluster);
		cJSON_AddStringToObject(reg, "hub", id.hub_url);
		cJSON_AddStringToObject(reg, "connect_url", id.connect_url);
		identity_release(&id);
	} else {
		cJSON_AddBoolToObject(reg, "registered", false);
		cJSON_AddStringToObject(reg, "error", err.message);
	}

	_cleanup_free_ char *db_path = NULL;
	struct store *s = NULL;
	if (asprintf(&db_path, "%s/%s", state_dir, STORE_FILE) >= 0 && access(db_path, F_OK) == 0)
		store_open(db_path, true, &s, NULL);
	cJSON_AddItemToObject(j, "connection", meta_json(s));
	cJSON *tasks = cJSON_AddArrayToObject(j, "tasks");
	uint64_t pending = 0;
	if (s) {
		struct task_list list = { .tasks = tasks, .state_dir = state_dir };
		if (store_tasks_foreach(s, add_task, &list, &err) < 0)
			cJSON_AddStringToObject(j, "error", err.message);
		store_outbox_count(s, &pending, NULL);
	}
	cJSON_AddNumberToObject(j, "unsent_state_changes", (double)pending);
	_cleanup_free_ char *socket_path = NULL;
	if (s)
		store_meta_get(s, META_API_SOCKET, &socket_path, NULL);
	store_close(s);
	add_daemon(j, state_dir, socket_path);
	return j;
}

static const char *json_string(const cJSON *obj, const char *name, const char *fallback)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(obj, name);
	return cJSON_IsString(v) ? v->valuestring : fallback;
}

static void print_text(const cJSON *j)
{
	const cJSON *reg = cJSON_GetObjectItem(j, "registration");
	if (cJSON_IsTrue(cJSON_GetObjectItem(reg, "registered")))
		printf("Node:       %s\nCluster:    %s\nHub:        %s\n",
		       json_string(reg, "node_id", "?"), json_string(reg, "cluster", "?"),
		       json_string(reg, "hub", "?"));
	else
		printf("Node:       %s\n", json_string(reg, "error", "not registered"));

	const cJSON *daemon = cJSON_GetObjectItem(j, "daemon");
	if (!cJSON_IsTrue(cJSON_GetObjectItem(daemon, "running")))
		printf("Daemon:     not running (what follows is from the state directory)\n");
	else if (json_string(daemon, "api_error", NULL))
		printf("Daemon:     running (pid %.0f); its local API did not answer: %s\n",
		       cJSON_GetObjectItem(daemon, "pid")->valuedouble,
		       json_string(daemon, "api_error", "?"));
	else
		printf("Daemon:     running (pid %.0f), answers on %s\n",
		       cJSON_GetObjectItem(daemon, "pid")->valuedouble,
		       json_string(daemon, "socket", "?"));

	const cJSON *conn = cJSON_GetObjectItem(j, "connection");
	printf("Connection: %s", json_string(conn, "state", "unknown"));
	const cJSON *since = cJSON_GetObjectItem(conn, "since");
	if (cJSON_IsNumber(since)) {
		time_t t = (time_t)since->valuedouble;
		char buf[64];
		struct tm tm;
		strftime(buf, sizeof(buf), "%Y-%m-%d %H:%M:%S UTC", gmtime_r(&t, &tm));
		printf(" since %s", buf);
	}
	const char *last_error = json_string(conn, "last_error", NULL);
	if (last_error && strcmp(json_string(conn, "state", ""), "connected") != 0)
		printf(" (%s)", last_error);
	printf("\nUnsent:     %.0f state changes\n",
	       cJSON_GetObjectItem(j, "unsent_state_changes")->valuedouble);

	const cJSON *tasks = cJSON_GetObjectItem(j, "tasks");
	printf("Tasks:      %d\n", cJSON_GetArraySize(tasks));
	const cJSON *t;
	cJSON_ArrayForEach(t, tasks) {
		printf("  %s  %s", json_string(t, "status", "?"), json_string(t, "task_arn", "?"));
		const char *health = json_string(t, "health_status", NULL);
		if (health)
			printf("  %s", health);
		const char *reason = json_string(t, "stopped_reason", NULL);
		printf(reason ? "  (%s)\n" : "\n", reason);
		const cJSON *pull = cJSON_GetObjectItem(t, "pull");
		if (pull)
			printf("    pulling images: %.1f of %.1f MiB fetched\n",
			       cJSON_GetObjectItem(pull, "bytes_done")->valuedouble / 1048576.0,
			       cJSON_GetObjectItem(pull, "bytes_total")->valuedouble / 1048576.0);
		const cJSON *c;
		cJSON_ArrayForEach(c, cJSON_GetObjectItem(t, "containers")) {
			printf("    %-20s %s", json_string(c, "name", "?"), json_string(c, "status", "?"));
			const cJSON *code = cJSON_GetObjectItem(c, "exit_code");
			if (cJSON_IsNumber(code))
				printf("  exit %d", code->valueint);
			const char *chealth = json_string(c, "health_status", NULL);
			if (chealth)
				printf("  %s", chealth);
			const char *creason = json_string(c, "reason", NULL);
			if (creason)
				printf("  %s", creason);
			printf("\n");
		}
	}
}

static void status_usage(FILE *out)
{
	fputs("Usage: tether status [--state-dir DIR] [--json]\n", out);
}

int cmd_status(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "state-dir", required_argument, NULL, 's' },
		{ "json", no_argument, NULL, 'j' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 },
	};
	const char *state_dir = DEFAULT_STATE_DIR;
	bool json = false;
	int c;
	optind = 1;
	while ((c = getopt_long(argc, argv, "", longopts, NULL)) != -1) {
		switch (c) {
		case 's': state_dir = optarg; break;
		case 'j': json = true; break;
		case 'h': status_usage(stdout); return 0;
		default: status_usage(stderr); return 2;
		}
	}
	if (optind != argc) {
		status_usage(stderr);
		return 2;
	}
	cJSON *j = collect_status(state_dir);
	if (!j) {
		log_error("Out of memory");
		return 1;
	}
	if (json) {
		_cleanup_free_ char *text = cJSON_Print(j);
		puts(text ? text : "{}");
	} else {
		print_text(j);
	}
	bool registered = cJSON_IsTrue(
		cJSON_GetObjectItem(cJSON_GetObjectItem(j, "registration"), "registered"));
	cJSON_Delete(j);
	return registered ? 0 : 1;
}
