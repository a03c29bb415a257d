/* The hub's decisions on a node's task_report and task_stop_verify (hub/tasks/task_reconcile.h):
 * what the manifest wants, adoption by a hub restored from an older database, tasks the node
 * lacks, and which stops it confirms. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/cleanup.h"
#include "hub/tasks/task_reconcile.h"
#include "protocol/json_value.h"
#include "tests/unit/test.h"

#define ARN(id) "arn:aws:ecs:local:000000000000:task/default/" id
#define KNOWN "11111111111111111111111111111111"
#define STOPPING "22222222222222222222222222222222"
#define OTHERS "33333333333333333333333333333333"
#define UNKNOWN "44444444444444444444444444444444"
#define UNDELIVERED "55555555555555555555555555555555"
#define DEFINITION "{\"family\":\"f\",\"containerDefinitions\":[{\"name\":\"c\",\"image\":\"i\",\"memory\":64}]}"

/* Node mi-1 (agent_seq 5, hub_seq 7) with KNOWN running, STOPPING desired STOPPED, and
 * UNDELIVERED not yet acknowledged; node mi-2 with OTHERS. Family f revision 2 is DEFINITION. */
static struct hub_store *store_new(void)
{
	struct hub_store *s = NULL;
	static const char *const rows[] = {
		"INSERT INTO nodes(node_id, instance_id, cluster, public_key, cpu, memory, attributes,"
		" registered_at, agent_seq, hub_seq) VALUES('mi-1', 'i-1', 'default', 'k', 4096, 4096,"
		" '[]', 0, 5, 7), ('mi-2', 'i-2', 'default', 'k', 4096, 4096, '[]', 0, 0, 0)",
		"INSERT INTO taskdefs(family, revision, body, registered_at) VALUES"
		" ('f', 1, '{\"family\":\"f\",\"containerDefinitions\":[{\"name\":\"c\",\"image\":\"j\"}]}', 0),"
		" ('f', 2, '" DEFINITION "', 0)",
		"INSERT INTO tasks(id, cluster, family, revision, node_id, cpu, memory, last_status,"
		" desired_status, created_at, delivered) VALUES"
		" ('" KNOWN "', 'default', 'f', 2, 'mi-1', 0, 64, 'RUNNING', 'RUNNING', 0, 1),"
		" ('" STOPPING "', 'default', 'f', 2, 'mi-1', 0, 64, 'RUNNING', 'STOPPED', 0, 1),"
		" ('" UNDELIVERED "', 'default', 'f', 2, 'mi-1', 0, 64, 'PROVISIONING', 'RUNNING', 0, 0),"
		" ('" OTHERS "', 'default', 'f', 2, 'mi-2', 0, 64, 'RUNNING', 'RUNNING', 0, 1)",
		"INSERT INTO containers(task_id, idx, name, image, last_status) VALUES"
		" ('" KNOWN "', 0, 'c', 'i', 'RUNNING')",
	};
	struct error err = { 0 };
	if (hub_store_open(":memory:", &s, &err) < 0)
		return NULL;
	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++)
		if (hub_store_exec_text(s, rows[i], &err, 0) < 0) {
			hub_store_close(s);
			return NULL;
		}
	return s;
}

/* The link as its welcome left it. */
static struct task_reconcile_link link_of(uint64_t agent_seq, uint64_t hub_seq)
{
	struct task_reconcile_link l = { .welcome_agent_seq = agent_seq, .welcome_hub_seq = hub_seq };
	snprintf(l.cluster, sizeof(l.cluster), "default");
	return l;
}

static char *query(struct hub_store *s, const char *sql)
{
	_cleanup_stmt_ sqlite3_stmt *st = hub_store_prepare(s, sql, NULL);
	if (!st || sqlite3_step(st) != SQLITE_ROW)
		return strdup("(none)");
	return strdup(col_text(st, 0));
}

static int report(struct hub_store *s, struct task_reconcile_link *l, const char *text,
		  char **manifest, struct task_reconcile_result *res)
{
	_cleanup_(cjson_deletep) cJSON *f = cJSON_Parse(text);
	struct error err = { 0 };
	return task_reconcile_report(s, "mi-1", l, f, manifest, res, &err);
}

/* What the manifest wants for ARN. */
static const char *desired(const char *manifest, const char *arn)
{
	static char answer[16];
	_cleanup_(cjson_deletep) cJSON *m = cJSON_Parse(manifest);
	const cJSON *t;
	snprintf(answer, sizeof(answer), "(absent)");
	cJSON_ArrayForEach(t, cJSON_GetObjectItem(m, "tasks"))
		if (!strcmp(json_string_member(t, "task_arn"), arn))
			snprintf(answer, sizeof(answer), "%s", json_string_member(t, "desired_status"));
	return answer;
}

static char *verify(struct hub_store *s, const struct task_reconcile_link *l, const char *arns)
{
	char text[1024];
	snprintf(text, sizeof(text), "{\"type\":\"task_stop_verify\",\"report\":1,\"task_arns\":%s}",
		 arns);
	_cleanup_(cjson_deletep) cJSON *f = cJSON_Parse(text);
	char *confirm = NULL;
	struct error err = { 0 };
	return task_reconcile_verify(s, "mi-1", l, f, &confirm, &err) < 0 ? NULL : confirm;
}

#define REPORT(acked, hub_seen, complete, tasks)                                             \
	"{\"type\":\"task_report\",\"report\":1,\"acked_seq\":" #acked ",\"hub_seq_seen\":"    \
	#hub_seen ",\"complete\":" #complete ",\"tasks\":[" tasks "]}"
#define ITEM(id, status) "{\"task_arn\":\"" ARN(id) "\",\"status\":\"" status "\"}"

TEST(hub_reconcile_in_step_hub_wants_unknown_tasks_stopped_and_confirms_them)
{
	struct hub_store *s = store_new();
	ASSERT_TRUE(s);
	struct task_reconcile_link l = link_of(5, 7);
	_cleanup_free_ char *manifest = NULL;
	struct task_reconcile_result res;
	ASSERT_INT_EQ(report(s, &l, REPORT(5, 7, true, ITEM(KNOWN, "RUNNING") ","
			     ITEM(STOPPING, "RUNNING") "," ITEM(OTHERS, "RUNNING") ","
			     ITEM(UNKNOWN, "RUNNING")), &manifest, &res), 0);
	ASSERT_TRUE(!res.behind);
	ASSERT_STR_EQ(desired(manifest, ARN(KNOWN)), "RUNNING");
	ASSERT_STR_EQ(desired(manifest, ARN(STOPPING)), "STOPPED");
	ASSERT_STR_EQ(desired(manifest, ARN(OTHERS)), "RUNNING");
	ASSERT_STR_EQ(desired(manifest, ARN(UNKNOWN)), "STOPPED");
	/* Only what it does not know or wants stopped, and never another node's or a running one. */
	_cleanup_free_ char *confirm = verify(s, &l, "[\"" ARN(KNOWN) "\",\"" ARN(STOPPING) "\",\""
					      ARN(OTHERS) "\",\"" ARN(UNKNOWN) "\",\"junk\"]");
	ASSERT_TRUE(confirm);
	ASSERT_CONTAINS(confirm, ARN(STOPPING));
	ASSERT_CONTAINS(confirm, ARN(UNKNOWN));
	ASSERT_TRUE(!strstr(confirm, ARN(KNOWN)));
	ASSERT_TRUE(!strstr(confirm, ARN(OTHERS)));
	ASSERT_TRUE(!strstr(confirm, "junk"));
	_cleanup_free_ char *adopted = query(s, "SELECT count(*) FROM tasks WHERE id = '" UNKNOWN "'");
	ASSERT_STR_EQ(adopted, "0");
	hub_store_close(s);
}

TEST(hub_reconcile_unknown_task_never_confirmed_without_a_report_on_the_link)
{
	struct hub_store *s = store_new();
	ASSERT_TRUE(s);
	struct task_reconcile_link l = link_of(5, 7);
	_cleanup_free_ char *confirm = verify(s, &l, "[\"" ARN(UNKNOWN) "\",\"" ARN(STOPPING) "\"]");
	ASSERT_TRUE(confirm);
	ASSERT_TRUE(!strstr(confirm, ARN(UNKNOWN)));
	ASSERT_CONTAINS(confirm, ARN(STOPPING));
	hub_store_close(s);
}

static void check_restored_hub_adopts(const char *counters_behind)
{
	struct hub_store *s = store_new();
	ASSERT_TRUE(s);
	struct task_reconcile_link l = link_of(5, 7);
	char text[2048];
	snprintf(text, sizeof(text),
		 "{\"type\":\"task_report\",\"report\":4,%s,\"complete\":true,\"tasks\":["
		 ITEM(KNOWN, "RUNNING") ",{\"task_arn\":\"" ARN(UNKNOWN) "\",\"status\":\"RUNNING\","
		 "\"task_definition\":" DEFINITION ",\"state\":{\"type\":\"task_state\",\"task_arn\":\""
		 ARN(UNKNOWN) "\",\"status\":\"RUNNING\",\"containers\":[{\"name\":\"c\","
		 "\"status\":\"RUNNING\",\"runtime_id\":\"x-c\"}]}}]}",
		 counters_behind);
	_cleanup_free_ char *manifest = NULL;
	struct task_reconcile_result res;
	ASSERT_INT_EQ(report(s, &l, text, &manifest, &res), 0);
	ASSERT_TRUE(res.behind);
	ASSERT_INT_EQ(res.adopted, 1);
	ASSERT_CONTAINS(manifest, "\"report\":4");
	ASSERT_STR_EQ(desired(manifest, ARN(UNKNOWN)), "RUNNING");
	_cleanup_free_ char *row = query(s, "SELECT node_id || ' ' || revision || ' ' || last_status"
				  " || ' ' || desired_status || ' ' || delivered FROM tasks WHERE id = '"
				  UNKNOWN "'");
	ASSERT_STR_EQ(row, "mi-1 2 RUNNING RUNNING 1");
	_cleanup_free_ char *container = query(s, "SELECT last_status || ' ' || runtime_id FROM"
					       " containers WHERE task_id = '" UNKNOWN "'");
	ASSERT_STR_EQ(container, "RUNNING x-c");
	/* Its stop is not confirmed by this hub, nor on a later link. */
	_cleanup_free_ char *confirm = verify(s, &l, "[\"" ARN(UNKNOWN) "\"]");
	ASSERT_TRUE(confirm && !strstr(confirm, ARN(UNKNOWN)));
	/* It learnt what it lost: the next welcome is in step. */
	_cleanup_free_ char *counters = query(s, "SELECT agent_seq || ' ' || hub_seq FROM nodes"
					      " WHERE node_id = 'mi-1'");
	ASSERT_TRUE(strcmp(counters, "5 7") != 0);
	hub_store_close(s);
}

TEST(hub_reconcile_hub_behind_on_applied_seq_adopts_unknown_tasks)
{
	check_restored_hub_adopts("\"acked_seq\":9,\"hub_seq_seen\":7");
}

TEST(hub_reconcile_hub_behind_on_its_own_seq_adopts_unknown_tasks)
{
	check_restored_hub_adopts("\"acked_seq\":5,\"hub_seq_seen\":8");
}

TEST(hub_reconcile_hub_behind_leaves_alone_what_it_cannot_adopt)
{
	struct hub_store *s = store_new();
	ASSERT_TRUE(s);
	struct task_reconcile_link l = link_of(5, 7);
	_cleanup_free_ char *manifest = NULL;
	struct task_reconcile_result res;
	ASSERT_INT_EQ(report(s, &l, REPORT(9, 7, true, ITEM(KNOWN, "RUNNING") ","
			     ITEM(UNKNOWN, "RUNNING")), &manifest, &res), 0);
	ASSERT_INT_EQ(res.not_adopted, 1);
	ASSERT_STR_EQ(desired(manifest, ARN(UNKNOWN)), "RUNNING");
	_cleanup_free_ char *confirm = verify(s, &l, "[\"" ARN(UNKNOWN) "\"]");
	ASSERT_TRUE(confirm && !strstr(confirm, ARN(UNKNOWN)));
	/* Still behind: the next connection offers the task again. */
	_cleanup_free_ char *counters = query(s, "SELECT agent_seq || ' ' || hub_seq FROM nodes"
					      " WHERE node_id = 'mi-1'");
	ASSERT_STR_EQ(counters, "5 7");
	hub_store_close(s);
}

TEST(hub_reconcile_complete_report_stops_delivered_tasks_the_node_lacks)
{
	struct hub_store *s = store_new();
	ASSERT_TRUE(s);
	hub_store_exec_text(s, "INSERT INTO outbox(node_id, seq, task_id, kind, frame) VALUES"
			    " ('mi-1', 8, '" KNOWN "', 'stop', '{}')", NULL, 0);
	struct task_reconcile_link l = link_of(5, 7);
	_cleanup_free_ char *incomplete = NULL, *manifest = NULL;
	struct task_reconcile_result res;
	/* An incomplete report says nothing of what is absent from it. */
	ASSERT_INT_EQ(report(s, &l, REPORT(5, 7, false, ITEM(STOPPING, "RUNNING")), &incomplete, &res), 0);
	ASSERT_INT_EQ(res.missing_stopped, 0);
	ASSERT_INT_EQ(report(s, &l, REPORT(5, 7, true, ITEM(STOPPING, "RUNNING")), &manifest, &res), 0);
	ASSERT_INT_EQ(res.missing_stopped, 1);
	_cleanup_free_ char *known = query(s, "SELECT last_status || '|' || desired_status || '|' ||"
					   " stopped_reason FROM tasks WHERE id = '" KNOWN "'");
	ASSERT_STR_EQ(known, "STOPPED|STOPPED|" RECONCILE_MISSING_REASON);
	_cleanup_free_ char *container = query(s, "SELECT last_status FROM containers WHERE"
					       " task_id = '" KNOWN "'");
	ASSERT_STR_EQ(container, "STOPPED");
	_cleanup_free_ char *queued = query(s, "SELECT count(*) FROM outbox WHERE task_id = '" KNOWN "'");
	ASSERT_STR_EQ(queued, "0");
	/* Not yet acknowledged: its assignment is still on its way, not missing. */
	_cleanup_free_ char *undelivered = query(s, "SELECT last_status FROM tasks WHERE id = '"
						 UNDELIVERED "'");
	ASSERT_STR_EQ(undelivered, "PROVISIONING");
	_cleanup_free_ char *others = query(s, "SELECT last_status FROM tasks WHERE id = '" OTHERS "'");
	ASSERT_STR_EQ(others, "RUNNING");
	hub_store_close(s);
}

TEST(hub_reconcile_bad_reports_refused_by_field_changing_nothing)
{
	struct hub_store *s = store_new();
	ASSERT_TRUE(s);
	static const struct {
		const char *text, *field;
	} bad[] = {
		{ "{\"acked_seq\":1,\"hub_seq_seen\":1,\"tasks\":[]}", "\"report\"" },
		{ "{\"report\":1,\"acked_seq\":-1,\"hub_seq_seen\":1,\"tasks\":[]}", "acked_seq" },
		{ "{\"report\":1,\"acked_seq\":1,\"tasks\":[]}", "hub_seq_seen" },
		{ "{\"report\":1,\"acked_seq\":1,\"hub_seq_seen\":1,\"tasks\":{}}", "task_report.tasks" },
		{ REPORT(1, 1, true, "{\"task_arn\":\"arn:aws:ecs:local:000000000000:cluster/x\","
				    "\"status\":\"RUNNING\"}"), "tasks[0].task_arn" },
		{ REPORT(1, 1, true, ITEM(KNOWN, "RUNNING") "," ITEM(KNOWN, "DONE")), "tasks[1].status" },
		{ REPORT(1, 1, true, "{\"task_arn\":\"" ARN(KNOWN) "\",\"status\":\"RUNNING\","
				    "\"task_definition\":[]}"), "tasks[0].task_definition" },
		{ REPORT(1, 1, true, "{\"task_arn\":\"" ARN(KNOWN) "\",\"status\":\"RUNNING\","
				    "\"state\":1}"), "tasks[0].state" },
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		struct task_reconcile_link l = link_of(5, 7);
		_cleanup_(cjson_deletep) cJSON *f = cJSON_Parse(bad[i].text);
		char *manifest = NULL;
		struct task_reconcile_result res;
		struct error err = { 0 };
		ASSERT_INT_EQ(task_reconcile_report(s, "mi-1", &l, f, &manifest, &res, &err), -EBADMSG);
		ASSERT_CONTAINS(err.message, bad[i].field);
		ASSERT_TRUE(!l.reported);
	}
	_cleanup_free_ char *known = query(s, "SELECT last_status FROM tasks WHERE id = '" KNOWN "'");
	ASSERT_STR_EQ(known, "RUNNING");
	struct task_reconcile_link l = link_of(5, 7);
	_cleanup_(cjson_deletep) cJSON *v = cJSON_Parse("{\"report\":1,\"task_arns\":[1]}");
	char *confirm = NULL;
	struct error err = { 0 };
	ASSERT_INT_EQ(task_reconcile_verify(s, "mi-1", &l, v, &confirm, &err), -EBADMSG);
	ASSERT_CONTAINS(err.message, "task_arns[0]");
	hub_store_close(s);
}
