/* What the hub reads of the frames in which a node describes itself: the health of a
 * node_status, stamped against a stored report and shown as DescribeContainerInstances shows
 * it, a metrics frame applied to a window that persists across inputs (so that batches
 * meet the ones before them) and read back, a task_state applied to a task of the node in
 * an in-memory store and shown as DescribeTasks shows it, and the same frame taken as a
 * task_report (by a hub in step and by one behind, which adopts) and as a task_stop_verify. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include "hub/metrics/metrics_window.h"
#include "hub/node_health.h"
#include "hub/tasks/task_reconcile.h"
#include "hub/tasks/task_state.h"
#include "hub/tasks/task_view.h"
#include "protocol/json_value.h"
#include "tests/fuzz/fuzz_text.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char previous_text[] =
	"{\"status\":\"OK\",\"updated_at\":1,\"checks\":[{\"type\":\"STATE_STORE\",\"status\":\"OK\","
	"\"updated_at\":1,\"changed_at\":1}]}";

static void count_series(void *userdata, const char *node_id, const char *task_arn,
			 const char *container, const struct metrics_point *p, size_t n)
{
	(void)userdata;
	if (!node_id || !task_arn || !container || !p || n == 0 || n > METRICS_WINDOW_SAMPLES)
		abort();
}

/* A store with node mi-1 and its task t1 of two containers, made once. */
static struct hub_store *task_store(void)
{
	static struct hub_store *store;
	if (store)
		return store;
	struct error err = { 0 };
	static const char *const rows[] = {
		"INSERT INTO nodes(node_id, instance_id, cluster, public_key, cpu, memory, attributes,"
		" registered_at) VALUES('mi-1', 'i-1', 'default', 'k', 1024, 1024, '[]', 0)",
		"INSERT INTO tasks(id, cluster, family, revision, node_id, cpu, memory, last_status,"
		" desired_status, created_at) VALUES('t1', 'default', 'f', 1, 'mi-1', 0, 0, 'PENDING',"
		" 'RUNNING', 0)",
		"INSERT INTO containers(task_id, idx, name, image, last_status) VALUES"
		" ('t1', 0, 'app', 'i', 'PENDING'), ('t1', 1, 'side', 'i', 'PENDING')",
	};
	if (hub_store_open(":memory:", &store, &err) < 0)
		abort();
	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++)
		if (hub_store_exec_text(store, rows[i], &err, 0) < 0)
		abort();
	return store;
}

static void apply_task_state(const cJSON *frame)
{
	static uint64_t seq;
	struct hub_store *store = task_store();
	struct error err = { 0 };
	(void)task_state_apply(store, "mi-1", ++seq, frame, &err);
	cJSON_Delete(task_view(store, "default", "t1"));
}

/* Phase one and two of the reconciliation, with a link in step or behind (by the input's
 * length, so that both meet every input over a run). */
static void reconcile(const cJSON *frame, size_t size)
{
	struct hub_store *store = task_store();
	struct task_reconcile_link l = { .welcome_agent_seq = size % 2 ? 0 : UINT32_MAX,
					 .welcome_hub_seq = UINT32_MAX };
	snprintf(l.cluster, sizeof(l.cluster), "default");
	struct error err = { 0 };
	struct task_reconcile_result res;
	char *manifest = NULL, *confirm = NULL;
	if (task_reconcile_report(store, "mi-1", &l, frame, &manifest, &res, &err) == 0 && !manifest)
		abort();
	if (task_reconcile_verify(store, "mi-1", &l, frame, &confirm, &err) == 0 && !confirm)
		abort();
	free(manifest);
	free(confirm);
	/* What adoption added goes, so that the store stays small over a run. */
	hub_store_exec_text(store, "DELETE FROM containers WHERE task_id != 't1'", NULL, 0);
	hub_store_exec_text(store, "DELETE FROM tasks WHERE id != 't1'", NULL, 0);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *text = fuzz_text(data, size);
	cJSON *frame = text ? cJSON_Parse(text) : NULL;
	cJSON *previous = cJSON_Parse(previous_text);
	char why[256];
	cJSON *merged = node_health_merge(cJSON_GetObjectItemCaseSensitive(frame, "health"),
					  previous, 2, why, sizeof(why));
	char *stored = merged ? cJSON_PrintUnformatted(merged) : NULL;
	cJSON *view = cJSON_CreateObject();
	node_health_view(stored ? stored : text, true, view);
	node_health_view(stored, false, view);
	cJSON_Delete(view);
	free(stored);
	static struct metrics_window *window;
	if (!window)
		window = metrics_window_new();
	uint64_t ack = 0;
	if (window && frame) {
		metrics_window_apply(window, "mi-1", frame, 100, &ack, why, sizeof(why));
		metrics_window_foreach(window, count_series, NULL);
		metrics_window_expire(window, size % 2 ? 100 : 100000);
	}
	if (frame) {
		apply_task_state(frame);
		reconcile(frame, size);
	}
	cJSON_Delete(merged);
	cJSON_Delete(previous);
	cJSON_Delete(frame);
	free(text);
	return 0;
}
