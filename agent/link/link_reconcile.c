#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "agent/link/link_reconcile.h"
#include "common/cleanup.h"
#include "common/parse.h"
#include "protocol/frame.h"
#include "protocol/json_value.h"

#define HUB_SEQ_SEEN_KEY "hub_seq_seen"
/* Room kept in a task_report for its own members and JSON's escapes. */
#define REPORT_SLACK (16 * 1024)

void link_reconcile_reset(struct link_reconcile *r)
{
	for (size_t i = 0; i < r->n_tasks; i++)
		free(r->tasks[i].arn);
	free(r->tasks);
	r->tasks = NULL;
	r->n_tasks = 0;
	r->sent = false;
	r->hub_behind = false;
	r->verifying = false;
}

static int read_meta_u64(struct store *s, const char *key, uint64_t *ret, struct error *err)
{
	_cleanup_free_ char *value = NULL;
	int r = store_meta_get(s, key, &value, err);
	if (r < 0)
		return r;
	*ret = 0;
	if (value && parse_u64(value, 0, JSON_MAX_SAFE_INTEGER, ret) < 0)
		return error_set(err, EINVAL, "state database: bad %s '%s'", key, value);
	return 0;
}

int link_reconcile_hub_seq_seen(struct store *s, uint64_t seq, struct error *err)
{
	uint64_t seen = 0;
	int r = read_meta_u64(s, HUB_SEQ_SEEN_KEY, &seen, err);
	if (r < 0 || seq <= seen)
		return r;
	char text[24];
	snprintf(text, sizeof(text), "%" PRIu64, seq);
	return store_meta_set(s, HUB_SEQ_SEEN_KEY, text, err);
}

/* One stored task as the report gathers it before the frame is built. */
struct gathered {
	struct link_reconcile *r;
	cJSON *items;
	char **definitions, **states; /* per task, NULL: none */
	size_t arn_bytes;
	bool complete;
};

static int gather_task(void *userdata, const char *task_arn, const char *definition_json,
		       const char *status, const char *last_state_json)
{
	struct gathered *g = userdata;
	struct link_reconcile *r = g->r;
	size_t cost = strlen(task_arn) + 64;
	if (r->n_tasks == FRAME_RECONCILE_TASKS_MAX ||
	    g->arn_bytes + cost > FRAME_MAX_SIZE - REPORT_SLACK) {
		g->complete = false;
		return 0;
	}
	const char *shown = status ? status : "PENDING"; /* stored, nothing reported yet */
	cJSON *item = cJSON_CreateObject();
	char *arn = strdup(task_arn);
	char *def = strdup(definition_json);
	char *state = last_state_json ? strdup(last_state_json) : NULL;
	if (!item || !arn || !def || (last_state_json && !state) ||
	    !cJSON_AddStringToObject(item, "task_arn", task_arn) ||
	    !cJSON_AddStringToObject(item, "status", shown)) {
		cJSON_Delete(item);
		free(arn);
		free(def);
		free(state);
		return -ENOMEM;
	}
	cJSON_AddItemToArray(g->items, item);
	r->tasks[r->n_tasks] = (struct reconcile_task){ .arn = arn,
							 .stopped = !strcmp(shown, "STOPPED") };
	g->definitions[r->n_tasks] = def;
	g->states[r->n_tasks] = state;
	r->n_tasks++;
	g->arn_bytes += cost;
	return 0;
}

/* For a hub that lost history: each task's definition and last state, as many as the frame
 * holds, so that the hub can adopt them. A task left without is one the hub cannot adopt and
 * so leaves alone. */
static void add_definitions(struct gathered *g)
{
	size_t budget = FRAME_MAX_SIZE - REPORT_SLACK;
	size_t used = g->arn_bytes;
	for (size_t i = 0; i < g->r->n_tasks; i++) {
		size_t need = strlen(g->definitions[i]) + (g->states[i] ? strlen(g->states[i]) : 0) + 64;
		if (used + need > budget)
			continue;
		cJSON *def = cJSON_Parse(g->definitions[i]);
		cJSON *state = g->states[i] ? cJSON_Parse(g->states[i]) : NULL;
		cJSON *item = cJSON_GetArrayItem(g->items, (int)i);
		if (!cJSON_IsObject(def)) {
			cJSON_Delete(def);
			cJSON_Delete(state);
			continue;
		}
		cJSON_AddItemToObject(item, "task_definition", def);
		/* Without a state the task was stored but has reported nothing yet. */
		if (cJSON_IsObject(state))
			cJSON_AddItemToObject(item, "state", state);
		else
			cJSON_Delete(state);
		used += need;
	}
}

static void gathered_release(struct gathered *g, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		free(g->definitions[i]);
		free(g->states[i]);
	}
	free(g->definitions);
	free(g->states);
	cJSON_Delete(g->items);
}

/* The welcome's counter NAME, false when absent or not an integer (a 1.0 hub). */
static bool welcome_seq(const cJSON *welcome, const char *name, uint64_t *ret)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(welcome, name);
	if (!json_is_unsigned_integer(v))
		return false;
	*ret = (uint64_t)v->valuedouble;
	return true;
}

static cJSON *report_frame(uint64_t number, uint64_t acked, uint64_t hub_seen, bool complete)
{
	cJSON *f = frame_new(FRAME_TASK_REPORT, 0);
	if (f && cJSON_AddNumberToObject(f, "report", (double)number) &&
	    cJSON_AddNumberToObject(f, "acked_seq", (double)acked) &&
	    cJSON_AddNumberToObject(f, "hub_seq_seen", (double)hub_seen) &&
	    cJSON_AddBoolToObject(f, "complete", complete))
		return f;
	cJSON_Delete(f);
	return NULL;
}

int link_reconcile_report(struct link_reconcile *r, struct store *s, const cJSON *welcome,
			  char **ret_text, struct error *err)
{
	link_reconcile_reset(r);
	*ret_text = NULL;
	uint64_t hub_applied = 0, hub_seq = 0, acked = 0, hub_seen = 0;
	if (!welcome_seq(welcome, "agent_seq", &hub_applied) ||
	    !welcome_seq(welcome, "hub_seq", &hub_seq))
		return 0;
	int k = store_acked_seq(s, &acked, err);
	if (k >= 0)
		k = read_meta_u64(s, HUB_SEQ_SEEN_KEY, &hub_seen, err);
	if (k < 0)
		return k;
	r->hub_behind = hub_applied < acked || hub_seq < hub_seen;

	struct gathered g = { .r = r, .items = cJSON_CreateArray(), .complete = true };
	r->tasks = calloc(FRAME_RECONCILE_TASKS_MAX, sizeof(*r->tasks));
	g.definitions = calloc(FRAME_RECONCILE_TASKS_MAX, sizeof(char *));
	g.states = calloc(FRAME_RECONCILE_TASKS_MAX, sizeof(char *));
	if (!g.items || !r->tasks || !g.definitions || !g.states) {
		gathered_release(&g, 0);
		return error_set(err, ENOMEM, "out of memory");
	}
	k = store_tasks_foreach(s, gather_task, &g, err);
	if (k < 0) {
		gathered_release(&g, r->n_tasks);
		return k == -ENOMEM ? error_set(err, ENOMEM, "out of memory") : k;
	}
	if (r->hub_behind)
		add_definitions(&g);
	cJSON *f = report_frame(++r->report, acked, hub_seen, g.complete);
	if (f) {
		cJSON_AddItemToObject(f, "tasks", g.items);
		g.items = NULL;
	}
	gathered_release(&g, r->n_tasks);
	*ret_text = f ? frame_print(f) : NULL;
	cJSON_Delete(f);
	if (!*ret_text)
		return error_set(err, ENOMEM, "out of memory");
	r->sent = true;
	return 0;
}

static struct reconcile_task *find_task(struct link_reconcile *r, const char *arn)
{
	for (size_t i = 0; i < r->n_tasks; i++)
		if (!strcmp(r->tasks[i].arn, arn))
			return &r->tasks[i];
	return NULL;
}

/* The frame answers this connection's last report. */
static int answers_report(const struct link_reconcile *r, const cJSON *frame, const char *type,
			  bool *ret, struct error *err)
{
	const cJSON *n = cJSON_GetObjectItemCaseSensitive(frame, "report");
	if (!json_is_unsigned_integer(n) || n->valuedouble < 1)
		return error_set(err, EBADMSG, "%s needs \"report\", an integer from 1", type);
	*ret = r->sent && (uint64_t)n->valuedouble == r->report;
	return 0;
}

static int check_arn(const cJSON *v, const char *path, struct error *err)
{
	if (!cJSON_IsString(v) || !v->valuestring[0] || strlen(v->valuestring) > FRAME_TASK_ARN_MAX)
		return error_set(err, EBADMSG, "%s must be a task ARN of 1 to %d bytes", path,
				 FRAME_TASK_ARN_MAX);
	return 0;
}

static int check_list(const cJSON *list, const char *path, struct error *err)
{
	if (!cJSON_IsArray(list) || cJSON_GetArraySize(list) > FRAME_RECONCILE_TASKS_MAX)
		return error_set(err, EBADMSG, "%s must be an array of at most %d items", path,
				 FRAME_RECONCILE_TASKS_MAX);
	return 0;
}

static int check_manifest(const cJSON *tasks, struct error *err)
{
	int r = check_list(tasks, "task_manifest.tasks", err);
	size_t i = 0;
	const cJSON *item;
	cJSON_ArrayForEach(item, tasks) {
		if (r < 0)
			return r;
		char path[JSON_PATH_MAX];
		json_path(path, "task_manifest.tasks[%zu].task_arn", i);
		r = check_arn(cJSON_GetObjectItemCaseSensitive(item, "task_arn"), path, err);
		const char *desired = json_string_member(item, "desired_status");
		if (r >= 0 && (!desired || (strcmp(desired, "RUNNING") && strcmp(desired, "STOPPED"))))
			r = error_set(err, EBADMSG,
				      "task_manifest.tasks[%zu].desired_status must be RUNNING or STOPPED",
				      i);
		i++;
	}
	return r;
}

static cJSON *verify_frame(const struct link_reconcile *r)
{
	cJSON *f = frame_new(FRAME_TASK_STOP_VERIFY, 0);
	cJSON *arns = cJSON_CreateArray();
	if (!f || !arns || !cJSON_AddNumberToObject(f, "report", (double)r->report))
		goto fail;
	for (size_t i = 0; i < r->n_tasks; i++) {
		cJSON *arn = r->tasks[i].candidate ? cJSON_CreateString(r->tasks[i].arn) : NULL;
		if (r->tasks[i].candidate && !arn)
			goto fail;
		if (arn)
			cJSON_AddItemToArray(arns, arn);
	}
	cJSON_AddItemToObject(f, "task_arns", arns);
	return f;
fail:
	cJSON_Delete(arns);
	cJSON_Delete(f);
	return NULL;
}

int link_reconcile_manifest(struct link_reconcile *r, const cJSON *manifest, char **ret_text,
			    struct error *err)
{
	*ret_text = NULL;
	bool current = false;
	const cJSON *tasks = cJSON_GetObjectItemCaseSensitive(manifest, "tasks");
	int k = answers_report(r, manifest, "task_manifest", &current, err);
	if (k >= 0)
		k = check_manifest(tasks, err);
	if (k < 0 || !current || r->verifying)
		return k;
	size_t candidates = 0;
	const cJSON *item;
	cJSON_ArrayForEach(item, tasks) {
		struct reconcile_task *t =
			find_task(r, json_string_member(item, "task_arn"));
		if (t && !t->stopped && !strcmp(json_string_member(item, "desired_status"), "STOPPED")) {
			candidates += !t->candidate;
			t->candidate = true;
		}
	}
	/* A hub that lost history may not know what it asks: nothing stops on its word before
	 * it has learnt this node's tasks (the next connection). */
	if (candidates == 0 || r->hub_behind)
		return 0;
	cJSON *f = verify_frame(r);
	*ret_text = f ? frame_print(f) : NULL;
	cJSON_Delete(f);
	if (!*ret_text)
		return error_set(err, ENOMEM, "out of memory");
	r->verifying = true;
	return 0;
}

int link_reconcile_confirm(struct link_reconcile *r, const cJSON *confirm,
			   link_reconcile_stop_fn stop, void *userdata, struct error *err)
{
	bool current = false;
	const cJSON *arns = cJSON_GetObjectItemCaseSensitive(confirm, "task_arns");
	int k = answers_report(r, confirm, "task_stop_confirm", &current, err);
	if (k >= 0)
		k = check_list(arns, "task_stop_confirm.task_arns", err);
	size_t i = 0;
	const cJSON *arn;
	cJSON_ArrayForEach(arn, arns) {
		char path[JSON_PATH_MAX];
		json_path(path, "task_stop_confirm.task_arns[%zu]", i++);
		if (k >= 0)
			k = check_arn(arn, path, err);
	}
	if (k < 0 || !current || !r->verifying)
		return k;
	cJSON_ArrayForEach(arn, arns) {
		struct reconcile_task *t = find_task(r, arn->valuestring);
		if (!t || !t->candidate)
			continue; /* not asked about: a confirmation alone stops nothing */
		t->candidate = false;
		t->stopped = true;
		stop(userdata, t->arn);
	}
	r->verifying = false;
	return 0;
}
