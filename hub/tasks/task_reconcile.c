#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/cleanup.h"
#include "hub/tasks/task_reconcile.h"
#include "hub/tasks/task_state.h"
#include "hub/tasks/task_store.h"
#include "protocol/arn.h"
#include "protocol/frame.h"
#include "protocol/json_value.h"
#include "protocol/taskdef.h"

#define TASK_ARN_HEAD ARN_PREFIX "task/"

/* One task of a report, pointing into the frame. */
struct reported_task {
	const char *arn, *task_id, *status;
	char cluster[256];
	const cJSON *definition, *state; /* NULL: not given */
	bool desired_stopped;            /* the manifest's answer */
};

/* A task ARN of this hub's form, arn:...:task/CLUSTER/ID: its cluster and id. */
static bool task_arn_parts(const char *arn, char cluster[256], const char **ret_id)
{
	if (!arn || strlen(arn) > FRAME_TASK_ARN_MAX || strncmp(arn, TASK_ARN_HEAD, strlen(TASK_ARN_HEAD)))
		return false;
	const char *rest = arn + strlen(TASK_ARN_HEAD), *slash = strrchr(rest, '/');
	if (!slash || slash == rest || !slash[1] || (size_t)(slash - rest) >= 256)
		return false;
	memcpy(cluster, rest, (size_t)(slash - rest));
	cluster[slash - rest] = '\0';
	*ret_id = slash + 1;
	return true;
}

static int report_number(const cJSON *frame, const char *type, uint64_t *ret, struct error *err)
{
	const cJSON *n = cJSON_GetObjectItemCaseSensitive(frame, "report");
	if (!json_is_unsigned_integer(n) || n->valuedouble < 1)
		return error_set(err, EBADMSG, "%s needs \"report\", an integer from 1", type);
	*ret = (uint64_t)n->valuedouble;
	return 0;
}

static int counter(const cJSON *frame, const char *name, uint64_t *ret, struct error *err)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(frame, name);
	if (!json_is_unsigned_integer(v))
		return error_set(err, EBADMSG, "task_report needs \"%s\", an integer from 0", name);
	*ret = (uint64_t)v->valuedouble;
	return 0;
}

static bool status_valid(const char *s)
{
	return s && (!strcmp(s, "PENDING") || !strcmp(s, "RUNNING") || !strcmp(s, "STOPPED"));
}

static int parse_task(const cJSON *item, size_t i, struct reported_task *t, struct error *err)
{
	t->arn = json_string_member(item, "task_arn");
	t->status = json_string_member(item, "status");
	t->definition = cJSON_GetObjectItemCaseSensitive(item, "task_definition");
	t->state = cJSON_GetObjectItemCaseSensitive(item, "state");
	if (!task_arn_parts(t->arn, t->cluster, &t->task_id))
		return error_set(err, EBADMSG, "task_report.tasks[%zu].task_arn must be a task ARN"
				 " of at most %d bytes", i, FRAME_TASK_ARN_MAX);
	if (!status_valid(t->status))
		return error_set(err, EBADMSG, "task_report.tasks[%zu].status must be PENDING,"
				 " RUNNING or STOPPED", i);
	if (t->definition && !cJSON_IsObject(t->definition))
		return error_set(err, EBADMSG, "task_report.tasks[%zu].task_definition must be an"
				 " object", i);
	if (t->state && !cJSON_IsObject(t->state))
		return error_set(err, EBADMSG, "task_report.tasks[%zu].state must be an object", i);
	return 0;
}

static int parse_tasks(const cJSON *list, struct reported_task **ret, size_t *ret_n,
		       struct error *err)
{
	if (!cJSON_IsArray(list) || cJSON_GetArraySize(list) > FRAME_RECONCILE_TASKS_MAX)
		return error_set(err, EBADMSG, "task_report.tasks must be an array of at most %d"
				 " tasks", FRAME_RECONCILE_TASKS_MAX);
	size_t n = (size_t)cJSON_GetArraySize(list);
	_cleanup_free_ struct reported_task *tasks = calloc(n ? n : 1, sizeof(*tasks));
	if (!tasks)
		return error_set(err, ENOMEM, "out of memory");
	size_t i = 0;
	const cJSON *item;
	cJSON_ArrayForEach(item, list) {
		int r = parse_task(item, i, &tasks[i], err);
		if (r < 0)
			return r;
		i++;
	}
	*ret = TAKE_PTR(tasks);
	*ret_n = n;
	return 0;
}

/* The state the node last reported, applied when it is this task's; one that is not valid is
 * left out (the task keeps what the hub has). */
static int apply_state(struct hub_store *s, const char *node_id, const struct reported_task *t,
		       struct error *err)
{
	const char *arn = json_string_member(t->state, "task_arn");
	if (!t->state || !arn || strcmp(arn, t->arn))
		return 0;
	return task_state_apply_unsequenced(s, node_id, t->state, err) == -EIO ? -EIO : 0;
}

static bool task_id_valid(const char *id)
{
	if (strlen(id) != HUB_ID_HEX)
		return false;
	for (const char *p = id; *p; p++)
		if (!((*p >= '0' && *p <= '9') || (*p >= 'a' && *p <= 'f')))
			return false;
	return true;
}

/* 1 adopted, 0 when it cannot be (no definition, or not one this hub can run, another
 * cluster's, an id this hub would not give). */
static int adopt(struct hub_store *s, const char *node_id, const struct task_reconcile_link *l,
		 const struct reported_task *t, struct error *err)
{
	if (!t->definition || strcmp(t->cluster, l->cluster) || !task_id_valid(t->task_id))
		return 0;
	_cleanup_free_ char *text = cJSON_PrintUnformatted(t->definition);
	_cleanup_(taskdef_freep) struct taskdef *td = NULL;
	struct error parse_err = { 0 };
	if (!text || taskdef_parse(text, strlen(text), &td, &parse_err) < 0)
		return 0;
	long long revision = 0;
	if (task_store_adoption_revision(s, td->family, t->definition, &revision, err) < 0)
		return -EIO;
	struct task_store_new row = { .id = t->task_id, .cluster = t->cluster,
				      .family = td->family, .node_id = node_id,
				      .revision = revision, .td = td };
	if (task_store_adopt(s, &row, err) < 0 || apply_state(s, node_id, t, err) < 0)
		return -EIO;
	return 1;
}

static int decide(struct hub_store *s, const char *node_id, const struct task_reconcile_link *l,
		  struct reported_task *t, struct task_reconcile_result *res, struct error *err)
{
	_cleanup_free_ char *owner = NULL;
	bool desired_stopped = false;
	int r = task_store_owner(s, t->task_id, &owner, &desired_stopped, err);
	if (r < 0)
		return r;
	if (r > 0) {
		/* Another node's task is left alone: stopping it is that node's business. */
		bool ours = strcmp(owner, node_id) == 0;
		t->desired_stopped = ours && desired_stopped;
		return ours && res->behind ? apply_state(s, node_id, t, err) : 0;
	}
	if (!res->behind) {
		t->desired_stopped = true;
		return 0;
	}
	r = adopt(s, node_id, l, t, err);
	if (r < 0)
		return r;
	if (r > 0)
		res->adopted++;
	else
		res->not_adopted++;
	return 0;
}

struct delivered {
	char **ids;
	size_t n, size;
	bool failed;
};

static void collect_delivered(const char *task_id, void *data)
{
	struct delivered *d = data;
	if (d->n == d->size) {
		size_t size = d->size ? d->size * 2 : 16;
		char **grown = realloc(d->ids, size * sizeof(*grown));
		if (!grown) {
			d->failed = true;
			return;
		}
		d->ids = grown;
		d->size = size;
	}
	if (!(d->ids[d->n] = strdup(task_id)))
		d->failed = true;
	else
		d->n++;
}

static bool reported(const struct reported_task *tasks, size_t n, const char *task_id)
{
	for (size_t i = 0; i < n; i++)
		if (!strcmp(tasks[i].task_id, task_id))
			return true;
	return false;
}

/* The node's complete report lacks tasks it acknowledged: they are not on the node. */
static int stop_missing(struct hub_store *s, const char *node_id, const struct reported_task *tasks,
			size_t n, struct task_reconcile_result *res, struct error *err)
{
	struct delivered d = { 0 };
	int r = task_store_node_delivered(s, node_id, collect_delivered, &d, err);
	if (r >= 0 && d.failed)
		r = error_set(err, ENOMEM, "out of memory");
	for (size_t i = 0; i < d.n; i++) {
		if (r >= 0 && !reported(tasks, n, d.ids[i])) {
			r = task_store_stop_missing(s, d.ids[i], RECONCILE_MISSING_REASON, err);
			res->missing_stopped++;
		}
		free(d.ids[i]);
	}
	free(d.ids);
	return r;
}

/* Everything the node saw acknowledged is known now: the counters catch up, so that the next
 * connection does not count as behind. */
static int catch_up(struct hub_store *s, const char *node_id, uint64_t acked, uint64_t hub_seen,
		    struct error *err)
{
	sqlite3_stmt *st = hub_store_prepare(
		s, "UPDATE nodes SET agent_seq = max(agent_seq, ?1), hub_seq = max(hub_seq, ?2)"
		   " WHERE node_id = ?3", err);
	if (!st)
		return -EIO;
	sqlite3_bind_int64(st, 1, (sqlite3_int64)acked);
	sqlite3_bind_int64(st, 2, (sqlite3_int64)hub_seen);
	sqlite3_bind_text(st, 3, node_id, -1, SQLITE_STATIC);
	return hub_store_step_done(s, st, err);
}

static char *answer_frame(enum frame_type type, uint64_t number, cJSON *list)
{
	cJSON *f = frame_new(type, 0);
	char *text = NULL;
	if (f && list && cJSON_AddNumberToObject(f, "report", (double)number) &&
	    cJSON_AddItemToObject(f, type == FRAME_TASK_MANIFEST ? "tasks" : "task_arns", list)) {
		list = NULL;
		text = frame_print(f);
	}
	cJSON_Delete(list);
	cJSON_Delete(f);
	return text;
}

static char *manifest_text(uint64_t number, const struct reported_task *tasks, size_t n)
{
	cJSON *list = cJSON_CreateArray();
	for (size_t i = 0; list && i < n; i++) {
		cJSON *item = cJSON_CreateObject();
		if (!item || !cJSON_AddStringToObject(item, "task_arn", tasks[i].arn) ||
		    !cJSON_AddStringToObject(item, "desired_status",
					     tasks[i].desired_stopped ? "STOPPED" : "RUNNING")) {
			cJSON_Delete(item);
			cJSON_Delete(list);
			return NULL;
		}
		cJSON_AddItemToArray(list, item);
	}
	return answer_frame(FRAME_TASK_MANIFEST, number, list);
}

static int apply_report(struct hub_store *s, const char *node_id, const struct task_reconcile_link *l,
			struct reported_task *tasks, size_t n, const cJSON *report,
			struct task_reconcile_result *res, struct error *err)
{
	uint64_t acked = 0, hub_seen = 0;
	(void)counter(report, "acked_seq", &acked, NULL);
	(void)counter(report, "hub_seq_seen", &hub_seen, NULL);
	int r = 0;
	for (size_t i = 0; r >= 0 && i < n; i++)
		r = decide(s, node_id, l, &tasks[i], res, err);
	if (r >= 0 && cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(report, "complete")))
		r = stop_missing(s, node_id, tasks, n, res, err);
	if (r >= 0 && res->behind && res->not_adopted == 0)
		r = catch_up(s, node_id, acked, hub_seen, err);
	return r;
}

int task_reconcile_report(struct hub_store *s, const char *node_id, struct task_reconcile_link *l,
			  const cJSON *report, char **ret_manifest,
			  struct task_reconcile_result *ret_result, struct error *err)
{
	uint64_t number = 0, acked = 0, hub_seen = 0;
	_cleanup_free_ struct reported_task *tasks = NULL;
	size_t n = 0;
	int r = report_number(report, "task_report", &number, err);
	if (r >= 0)
		r = counter(report, "acked_seq", &acked, err);
	if (r >= 0)
		r = counter(report, "hub_seq_seen", &hub_seen, err);
	if (r >= 0)
		r = parse_tasks(cJSON_GetObjectItemCaseSensitive(report, "tasks"), &tasks, &n, err);
	if (r < 0)
		return r;
	struct task_reconcile_result res = {
		.behind = acked > l->welcome_agent_seq || hub_seen > l->welcome_hub_seq,
	};
	if (hub_store_begin(s, err) < 0)
		return -EIO;
	r = apply_report(s, node_id, l, tasks, n, report, &res, err);
	if (r < 0 || hub_store_commit(s, err) < 0) {
		hub_store_rollback(s);
		return r < 0 ? r : -EIO;
	}
	l->reported = true;
	l->behind = res.behind;
	*ret_result = res;
	*ret_manifest = manifest_text(number, tasks, n);
	return *ret_manifest ? 0 : error_set(err, ENOMEM, "out of memory");
}

/* A stop this hub confirms: its own task on this node, desired STOPPED; or a task it does not
 * know at all, once this link's report showed it has not lost history. */
static int confirmed(struct hub_store *s, const char *node_id, const struct task_reconcile_link *l,
		     const char *arn, bool *ret, struct error *err)
{
	char cluster[256];
	const char *task_id = NULL;
	*ret = false;
	if (!task_arn_parts(arn, cluster, &task_id))
		return 0;
	_cleanup_free_ char *owner = NULL;
	bool desired_stopped = false;
	int r = task_store_owner(s, task_id, &owner, &desired_stopped, err);
	if (r < 0)
		return r;
	*ret = r > 0 ? !strcmp(owner, node_id) && desired_stopped : l->reported && !l->behind;
	return 0;
}

int task_reconcile_verify(struct hub_store *s, const char *node_id,
			  const struct task_reconcile_link *l, const cJSON *verify,
			  char **ret_confirm, struct error *err)
{
	uint64_t number = 0;
	int r = report_number(verify, "task_stop_verify", &number, err);
	const cJSON *arns = cJSON_GetObjectItemCaseSensitive(verify, "task_arns");
	if (r >= 0 && (!cJSON_IsArray(arns) || cJSON_GetArraySize(arns) > FRAME_RECONCILE_TASKS_MAX))
		r = error_set(err, EBADMSG, "task_stop_verify.task_arns must be an array of at most"
			      " %d task ARNs", FRAME_RECONCILE_TASKS_MAX);
	if (r < 0)
		return r;
	size_t i = 0;
	const cJSON *arn;
	cJSON_ArrayForEach(arn, arns) {
		if (!cJSON_IsString(arn) || strlen(arn->valuestring) > FRAME_TASK_ARN_MAX)
			return error_set(err, EBADMSG, "task_stop_verify.task_arns[%zu] must be a"
					 " string of at most %d bytes", i, FRAME_TASK_ARN_MAX);
		i++;
	}
	cJSON *list = cJSON_CreateArray();
	cJSON_ArrayForEach(arn, arns) {
		bool yes = false;
		if (list && confirmed(s, node_id, l, arn->valuestring, &yes, err) < 0) {
			cJSON_Delete(list);
			return -EIO;
		}
		if (list && yes)
			cJSON_AddItemToArray(list, cJSON_CreateString(arn->valuestring));
	}
	*ret_confirm = answer_frame(FRAME_TASK_STOP_CONFIRM, number, list);
	return *ret_confirm ? 0 : error_set(err, ENOMEM, "out of memory");
}
