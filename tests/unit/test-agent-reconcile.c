/* The agent's side of the reconciliation after a welcome (agent/link/link_reconcile.h): what
 * its task_report says, when it carries the definitions, which tasks it asks the hub about,
 * and that only those both asked about and confirmed stop. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "agent/link/link_reconcile.h"
#include "common/cleanup.h"
#include "protocol/json_value.h"
#include "tests/unit/test.h"

#define RUNS "arn:aws:ecs:local:000000000000:task/default/aaaa"
#define ENDED "arn:aws:ecs:local:000000000000:task/default/bbbb"
#define WAITS "arn:aws:ecs:local:000000000000:task/default/cccc"
#define DEF "{\"family\":\"web\"}"

/* A state database with RUNS running, ENDED stopped (not yet acknowledged) and WAITS stored
 * with nothing reported; the hub acknowledged the first state (seq 1) only. */
static struct store *store_new(void)
{
	char path[512];
	snprintf(path, sizeof(path), "%s/state.db", test_tmpdir());
	struct store *s = NULL;
	if (store_open(path, false, &s, NULL) < 0)
		return NULL;
	static const char *const states[][2] = { { RUNS, "RUNNING" }, { ENDED, "STOPPED" } };
	for (size_t i = 0; i < 2; i++) {
		uint64_t seq = 0;
		_cleanup_free_ char *text = NULL;
		cJSON *f = cJSON_CreateObject();
		cJSON_AddStringToObject(f, "type", "task_state");
		cJSON_AddStringToObject(f, "task_arn", states[i][0]);
		cJSON_AddStringToObject(f, "status", states[i][1]);
		if (store_task_add(s, states[i][0], DEF, NULL) != 1 ||
		    store_task_state_append(s, states[i][0], states[i][1], f, &seq, &text, NULL) < 0)
			s = NULL;
		cJSON_Delete(f);
	}
	if (!s || store_task_add(s, WAITS, DEF, NULL) != 1 || store_outbox_ack(s, 1, NULL) < 0)
		return NULL;
	return s;
}

static char *report_after(struct link_reconcile *r, struct store *s, const char *welcome)
{
	_cleanup_(cjson_deletep) cJSON *w = cJSON_Parse(welcome);
	char *text = NULL;
	struct error err = { 0 };
	return link_reconcile_report(r, s, w, &text, &err) < 0 ? NULL : text;
}

static const cJSON *reported(const cJSON *report, const char *arn)
{
	const cJSON *t;
	cJSON_ArrayForEach(t, cJSON_GetObjectItem(report, "tasks"))
		if (!strcmp(json_string_member(t, "task_arn"), arn))
			return t;
	return NULL;
}

static char *manifest(struct link_reconcile *r, const char *text, int *ret)
{
	_cleanup_(cjson_deletep) cJSON *m = cJSON_Parse(text);
	char *verify = NULL;
	struct error err = { 0 };
	*ret = link_reconcile_manifest(r, m, &verify, &err);
	return verify;
}

struct stops {
	int n;
	char last[128];
};

static void record_stop(void *userdata, const char *arn)
{
	struct stops *st = userdata;
	st->n++;
	snprintf(st->last, sizeof(st->last), "%s", arn);
}

static int confirm(struct link_reconcile *r, const char *text, struct stops *st)
{
	_cleanup_(cjson_deletep) cJSON *c = cJSON_Parse(text);
	struct error err = { 0 };
	return link_reconcile_confirm(r, c, record_stop, st, &err);
}

#define IN_STEP "{\"type\":\"welcome\",\"agent_seq\":1,\"hub_seq\":0}"
#define EVERY_STOPPED                                                                       \
	"{\"type\":\"task_manifest\",\"report\":1,\"tasks\":[{\"task_arn\":\"" RUNS "\","      \
	"\"desired_status\":\"STOPPED\"},{\"task_arn\":\"" ENDED "\",\"desired_status\":"       \
	"\"STOPPED\"},{\"task_arn\":\"" WAITS "\",\"desired_status\":\"RUNNING\"}]}"

TEST(agent_reconcile_no_report_to_a_hub_without_counters)
{
	struct store *s = store_new();
	ASSERT_TRUE(s);
	struct link_reconcile r = { 0 };
	_cleanup_free_ char *text = report_after(&r, s, "{\"type\":\"welcome\",\"heartbeat_seconds\":20}");
	ASSERT_TRUE(text == NULL);
	ASSERT_TRUE(!r.sent);
	store_close(s);
}

TEST(agent_reconcile_report_lists_every_stored_task_with_its_last_status)
{
	struct store *s = store_new();
	ASSERT_TRUE(s);
	struct link_reconcile r = { 0 };
	_cleanup_free_ char *text = report_after(&r, s, IN_STEP);
	_cleanup_(cjson_deletep) cJSON *rep = cJSON_Parse(text);
	ASSERT_TRUE(rep);
	ASSERT_STR_EQ(json_string_member(rep, "type"), "task_report");
	ASSERT_INT_EQ(cJSON_GetObjectItem(rep, "report")->valueint, 1);
	ASSERT_INT_EQ(cJSON_GetObjectItem(rep, "acked_seq")->valueint, 1);
	ASSERT_TRUE(cJSON_IsTrue(cJSON_GetObjectItem(rep, "complete")));
	ASSERT_STR_EQ(json_string_member(reported(rep, RUNS), "status"), "RUNNING");
	ASSERT_STR_EQ(json_string_member(reported(rep, ENDED), "status"), "STOPPED");
	ASSERT_STR_EQ(json_string_member(reported(rep, WAITS), "status"), "PENDING");
	/* A hub in step gets no definitions. */
	ASSERT_TRUE(!strstr(text, "task_definition"));
	ASSERT_TRUE(!r.hub_behind);
	link_reconcile_reset(&r);
	store_close(s);
}

static void check_behind(const char *welcome)
{
	struct store *s = store_new();
	ASSERT_TRUE(s);
	ASSERT_INT_EQ(link_reconcile_hub_seq_seen(s, 9, NULL), 0);
	ASSERT_INT_EQ(link_reconcile_hub_seq_seen(s, 4, NULL), 0); /* never goes back */
	struct link_reconcile r = { 0 };
	_cleanup_free_ char *text = report_after(&r, s, welcome);
	_cleanup_(cjson_deletep) cJSON *rep = cJSON_Parse(text);
	ASSERT_TRUE(r.hub_behind);
	ASSERT_INT_EQ(cJSON_GetObjectItem(rep, "hub_seq_seen")->valueint, 9);
	const cJSON *runs = reported(rep, RUNS);
	ASSERT_STR_EQ(json_string_member(cJSON_GetObjectItem(runs, "task_definition"), "family"), "web");
	ASSERT_STR_EQ(json_string_member(cJSON_GetObjectItem(runs, "state"), "status"), "RUNNING");
	ASSERT_TRUE(cJSON_GetObjectItem(reported(rep, WAITS), "task_definition"));
	/* Nothing stops on the word of a hub that lost history. */
	int k = 0;
	_cleanup_free_ char *verify = manifest(&r, EVERY_STOPPED, &k);
	ASSERT_INT_EQ(k, 0);
	ASSERT_TRUE(verify == NULL);
	struct stops st = { 0 };
	ASSERT_INT_EQ(confirm(&r, "{\"report\":1,\"task_arns\":[\"" RUNS "\"]}", &st), 0);
	ASSERT_INT_EQ(st.n, 0);
	link_reconcile_reset(&r);
	store_close(s);
}

TEST(agent_reconcile_hub_behind_on_applied_seq_gets_definitions_and_stops_nothing)
{
	check_behind("{\"type\":\"welcome\",\"agent_seq\":0,\"hub_seq\":9}");
}

TEST(agent_reconcile_hub_behind_on_its_own_seq_gets_definitions_and_stops_nothing)
{
	check_behind("{\"type\":\"welcome\",\"agent_seq\":1,\"hub_seq\":8}");
}

TEST(agent_reconcile_stops_only_what_was_asked_about_and_confirmed)
{
	struct store *s = store_new();
	ASSERT_TRUE(s);
	struct link_reconcile r = { 0 };
	free(report_after(&r, s, IN_STEP));
	struct stops st = { 0 };
	/* A confirmation before any question stops nothing. */
	ASSERT_INT_EQ(confirm(&r, "{\"report\":1,\"task_arns\":[\"" RUNS "\"]}", &st), 0);
	ASSERT_INT_EQ(st.n, 0);
	int k = 0;
	_cleanup_free_ char *verify = manifest(&r, EVERY_STOPPED, &k);
	ASSERT_INT_EQ(k, 0);
	/* Asked: the running task the manifest says STOPPED; not the one already stopped. */
	ASSERT_CONTAINS(verify, "\"type\":\"task_stop_verify\"");
	ASSERT_CONTAINS(verify, RUNS);
	ASSERT_TRUE(!strstr(verify, ENDED));
	ASSERT_TRUE(!strstr(verify, WAITS));
	/* An answer to another report is not this one's. */
	ASSERT_INT_EQ(confirm(&r, "{\"report\":7,\"task_arns\":[\"" RUNS "\"]}", &st), 0);
	ASSERT_INT_EQ(st.n, 0);
	ASSERT_INT_EQ(confirm(&r, "{\"report\":1,\"task_arns\":[\"" RUNS "\",\"" WAITS "\",\""
			      ENDED "\",\"arn:made-up\"]}", &st), 0);
	ASSERT_INT_EQ(st.n, 1);
	ASSERT_STR_EQ(st.last, RUNS);
	/* Once. */
	ASSERT_INT_EQ(confirm(&r, "{\"report\":1,\"task_arns\":[\"" RUNS "\"]}", &st), 0);
	ASSERT_INT_EQ(st.n, 1);
	link_reconcile_reset(&r);
	store_close(s);
}

TEST(agent_reconcile_nothing_to_ask_when_the_hub_wants_every_running_task)
{
	struct store *s = store_new();
	ASSERT_TRUE(s);
	struct link_reconcile r = { 0 };
	free(report_after(&r, s, IN_STEP));
	int k = 0;
	_cleanup_free_ char *verify = manifest(&r, "{\"report\":1,\"tasks\":[{\"task_arn\":\"" RUNS
					       "\",\"desired_status\":\"RUNNING\"}]}", &k);
	ASSERT_INT_EQ(k, 0);
	ASSERT_TRUE(verify == NULL);
	link_reconcile_reset(&r);
	store_close(s);
}

TEST(agent_reconcile_bad_manifests_and_confirmations_refused_by_field)
{
	struct store *s = store_new();
	ASSERT_TRUE(s);
	struct link_reconcile r = { 0 };
	free(report_after(&r, s, IN_STEP));
	static const struct {
		const char *text, *field;
	} bad[] = {
		{ "{\"tasks\":[]}", "\"report\"" },
		{ "{\"report\":1,\"tasks\":{}}", "task_manifest.tasks" },
		{ "{\"report\":1,\"tasks\":[{\"task_arn\":\"" RUNS "\",\"desired_status\":\"STOPPED\"},"
		  "{\"task_arn\":\"\",\"desired_status\":\"STOPPED\"}]}", "tasks[1].task_arn" },
		{ "{\"report\":1,\"tasks\":[{\"task_arn\":\"" RUNS "\",\"desired_status\":\"GONE\"}]}",
		  "tasks[0].desired_status" },
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		_cleanup_(cjson_deletep) cJSON *m = cJSON_Parse(bad[i].text);
		char *verify = NULL;
		struct error err = { 0 };
		ASSERT_INT_EQ(link_reconcile_manifest(&r, m, &verify, &err), -EBADMSG);
		ASSERT_CONTAINS(err.message, bad[i].field);
		ASSERT_TRUE(verify == NULL);
	}
	/* The refused manifests made no candidate: nothing is asked about, nothing stops. */
	ASSERT_TRUE(!r.verifying && !r.tasks[0].candidate);
	_cleanup_(cjson_deletep) cJSON *c = cJSON_Parse("{\"report\":1,\"task_arns\":[\"" RUNS "\",7]}");
	struct error err = { 0 };
	struct stops st = { 0 };
	ASSERT_INT_EQ(link_reconcile_confirm(&r, c, record_stop, &st, &err), -EBADMSG);
	ASSERT_CONTAINS(err.message, "task_arns[1]");
	ASSERT_INT_EQ(st.n, 0);
	link_reconcile_reset(&r);
	store_close(s);
}
