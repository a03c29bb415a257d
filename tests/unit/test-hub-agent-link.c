/* The agent websocket session without a socket: handshake refusals, welcome and resend of
 * unacknowledged frames in seq order, task_state applied exactly once. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/cleanup.h"
#include "common/sqlite_stmt_cache.h"
#include "hub/agent_link.h"
#include "hub/api.h"
#include "hub/registration.h"
#include "hub/store/store.h"
#include "protocol/frame.h"
#include "protocol/json_value.h"
#include "tests/unit/test.h"

struct node {
	struct hub_store *store;
	EVP_PKEY *key;
	char node_id[64];
	char *task_arn;
};

static void node_release(struct node *n)
{
	EVP_PKEY_free(n->key);
	free(n->task_arn);
	hub_store_close(n->store);
}

static char *call(struct hub_store *s, const char *target, const char *body)
{
	char *out = NULL;
	api_dispatch(s, target, body, strlen(body), &out);
	return out;
}

/* A store with one registered node, connected (so tasks can be placed) and one task assigned. */
static int node_new(struct node *n)
{
	struct error err = { 0 };
	*n = (struct node){ 0 };
	if (hub_store_open(":memory:", &n->store, &err) < 0)
		return -1;
	_cleanup_free_ char *pem = NULL, *pub = NULL;
	if (auth_generate_key(&pem, &pub, &err) < 0 || auth_load_private_key(pem, &n->key, &err) < 0)
		return -1;
	_cleanup_free_ char *act = call(n->store, "AmazonSSM.CreateActivation", "{\"IamRole\":\"r\"}");
	_cleanup_(cjson_deletep) cJSON *a = cJSON_Parse(act);
	char body[1024];
	snprintf(body, sizeof(body),
		 "{\"activation_id\":\"%s\",\"activation_code\":\"%s\",\"public_key\":\"%s\","
		 "\"resources\":{\"cpu\":1024,\"memory\":512}}",
		 cJSON_GetObjectItem(a, "ActivationId")->valuestring,
		 cJSON_GetObjectItem(a, "ActivationCode")->valuestring, pub);
	_cleanup_free_ char *reg = NULL;
	if (registration_handle(n->store, body, strlen(body), "hub:1", false, NULL, &reg) != 200)
		return -1;
	_cleanup_(cjson_deletep) cJSON *r = cJSON_Parse(reg);
	snprintf(n->node_id, sizeof(n->node_id), "%s", cJSON_GetObjectItem(r, "node_id")->valuestring);
	hub_store_exec_text(n->store, "UPDATE nodes SET connected = 1", NULL, 0);
	free(call(n->store, "AmazonEC2ContainerServiceV20141113.RegisterTaskDefinition",
		  "{\"family\":\"f\",\"containerDefinitions\":[{\"name\":\"c\",\"image\":\"i\","
		  "\"memory\":100}]}"));
	_cleanup_free_ char *run = call(n->store, "AmazonEC2ContainerServiceV20141113.RunTask",
					"{\"taskDefinition\":\"f\"}");
	_cleanup_(cjson_deletep) cJSON *t = cJSON_Parse(run);
	const cJSON *arn = cJSON_GetObjectItem(cJSON_GetArrayItem(cJSON_GetObjectItem(t, "tasks"), 0),
					       "taskArn");
	if (!cJSON_IsString(arn))
		return -1;
	n->task_arn = strdup(arn->valuestring);
	return 0;
}

static void send_text(struct agent_link *l, const char *text)
{
	agent_link_receive(l, text, strlen(text));
}

static int hello(struct node *n, struct agent_link *l, const char *protocol, const char *node_id)
{
	_cleanup_free_ char *challenge = agent_link_next_out(l);
	_cleanup_(cjson_deletep) cJSON *c = cJSON_Parse(challenge);
	const char *nonce = cJSON_GetObjectItem(c, "nonce")->valuestring;
	_cleanup_free_ char *sig = NULL;
	struct error err = { 0 };
	auth_sign(n->key, nonce, n->node_id, &sig, &err);
	char text[512];
	snprintf(text, sizeof(text),
		 "{\"type\":\"hello\",\"node_id\":\"%s\",\"protocol\":\"%s\",\"signature\":\"%s\"}",
		 node_id, protocol, sig);
	return agent_link_receive(l, text, strlen(text));
}

/* Authenticated, with the welcome and the pending assignment read. */
static int connect_node(struct node *n, struct agent_link *l)
{
	agent_link_start(l, n->store, 20);
	if (hello(n, l, "1.0", n->node_id) != 1)
		return -1;
	free(agent_link_next_out(l));
	free(agent_link_next_out(l));
	return 0;
}

static char *task_field(struct node *n, const char *filter)
{
	char body[512];
	snprintf(body, sizeof(body), "{\"tasks\":[\"%s\"]}", n->task_arn);
	_cleanup_free_ char *out = call(n->store, "AmazonEC2ContainerServiceV20141113.DescribeTasks", body);
	_cleanup_(cjson_deletep) cJSON *o = cJSON_Parse(out);
	const cJSON *t = cJSON_GetArrayItem(cJSON_GetObjectItem(o, "tasks"), 0);
	if (!strcmp(filter, "exitCode"))
		t = cJSON_GetArrayItem(cJSON_GetObjectItem(t, "containers"), 0);
	const cJSON *v = cJSON_GetObjectItem(t, filter);
	if (cJSON_IsNumber(v)) {
		char *s = NULL;
		return asprintf(&s, "%d", v->valueint) < 0 ? NULL : s;
	}
	return cJSON_IsString(v) ? strdup(v->valuestring) : strdup("(none)");
}

/* Send a task_state for the node's task with one container "c". */
static void send_task_state(struct agent_link *l, const struct node *n, int seq,
			    const char *task_status, const char *container_status, int exit_code)
{
	char frame[1024];
	snprintf(frame, sizeof(frame),
		 "{\"type\":\"task_state\",\"seq\":%d,\"task_arn\":\"%s\",\"status\":\"%s\","
		 "\"stop_code\":\"EssentialContainerExited\",\"stopped_reason\":\"done\","
		 "\"containers\":[{\"name\":\"c\",\"status\":\"%s\",\"exit_code\":%d}]}",
		 seq, n->task_arn, task_status, container_status, exit_code);
	send_text(l, frame);
}

TEST(hub_link_challenge_first)
{
	struct node n;
	ASSERT_INT_EQ(node_new(&n), 0);
	struct agent_link l;
	ASSERT_INT_EQ(agent_link_start(&l, n.store, 20), 0);
	_cleanup_free_ char *c = agent_link_next_out(&l);
	ASSERT_CONTAINS(c, "\"type\":\"challenge\"");
	ASSERT_CONTAINS(c, "\"protocol_major\":1");
	ASSERT_INT_EQ(strlen(l.nonce), AUTH_NONCE_HEX_LEN);
	agent_link_closed(&l, false);
	node_release(&n);
}

TEST(hub_link_wrong_major_closes_4001)
{
	struct node n;
	ASSERT_INT_EQ(node_new(&n), 0);
	struct agent_link l;
	agent_link_start(&l, n.store, 20);
	ASSERT_INT_EQ(hello(&n, &l, "2.0", n.node_id), 0);
	ASSERT_INT_EQ(l.close_code, CLOSE_PROTOCOL_UNSUPPORTED);
	ASSERT_CONTAINS(l.close_reason, "unsupported protocol major 2 (hub speaks 1)");
	agent_link_closed(&l, false);
	node_release(&n);
}

/* docs/protocol.md: the version is MAJOR.MINOR; "1" alone is not one. */
TEST(hub_link_version_not_major_minor_closes_4001)
{
	static const char *const bad[] = { "1", "1.", ".0", "1.0.0", " 1.0", "1.0 ", "01x.0",
					   "1.-1", "+1.0", "99999999999.0", "" };
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		struct node n;
		ASSERT_INT_EQ(node_new(&n), 0);
		struct agent_link l;
		agent_link_start(&l, n.store, 20);
		ASSERT_INT_EQ(hello(&n, &l, bad[i], n.node_id), 0);
		ASSERT_INT_EQ(l.close_code, CLOSE_PROTOCOL_UNSUPPORTED);
		ASSERT_CONTAINS(l.close_reason, "protocol is not a MAJOR.MINOR version");
		ASSERT_TRUE(!l.authenticated);
		agent_link_closed(&l, false);
		node_release(&n);
	}
}

TEST(hub_link_later_minor_is_welcomed)
{
	struct node n;
	ASSERT_INT_EQ(node_new(&n), 0);
	struct agent_link l;
	agent_link_start(&l, n.store, 20);
	ASSERT_INT_EQ(hello(&n, &l, "1.7", n.node_id), 1);
	ASSERT_TRUE(l.authenticated);
	agent_link_closed(&l, false);
	node_release(&n);
}

TEST(hub_link_bad_signature_or_unknown_node_closes_4003)
{
	struct node n;
	ASSERT_INT_EQ(node_new(&n), 0);
	struct agent_link l;
	agent_link_start(&l, n.store, 20);
	ASSERT_INT_EQ(hello(&n, &l, "1.0", "mi-00000000000000000"), 0);
	ASSERT_INT_EQ(l.close_code, CLOSE_AUTH_FAILED);
	agent_link_closed(&l, false);

	agent_link_start(&l, n.store, 20);
	free(agent_link_next_out(&l));
	send_text(&l, "{\"type\":\"heartbeat\"}");
	ASSERT_INT_EQ(l.close_code, CLOSE_AUTH_FAILED); /* nothing but hello first */
	agent_link_closed(&l, false);
	node_release(&n);
}

TEST(hub_link_welcome_then_assignment_resent_until_acked)
{
	struct node n;
	ASSERT_INT_EQ(node_new(&n), 0);
	struct agent_link l;
	agent_link_start(&l, n.store, 20);
	ASSERT_INT_EQ(hello(&n, &l, "1.0", n.node_id), 1);
	_cleanup_free_ char *welcome = agent_link_next_out(&l);
	ASSERT_CONTAINS(welcome, "\"type\":\"welcome\"");
	ASSERT_CONTAINS(welcome, ":container-instance/default/");
	_cleanup_free_ char *assign = agent_link_next_out(&l);
	ASSERT_CONTAINS(assign, "\"type\":\"task_assign\"");
	ASSERT_CONTAINS(assign, "\"seq\":1");
	ASSERT_CONTAINS(assign, n.task_arn);
	ASSERT_TRUE(agent_link_next_out(&l) == NULL);
	agent_link_closed(&l, false);

	/* Not acknowledged: the next connection gets it again. */
	agent_link_start(&l, n.store, 20);
	ASSERT_INT_EQ(hello(&n, &l, "1.0", n.node_id), 1);
	free(agent_link_next_out(&l));
	_cleanup_free_ char *again = agent_link_next_out(&l);
	ASSERT_CONTAINS(again, "\"seq\":1");
	send_text(&l, "{\"type\":\"ack\",\"seq\":1}");
	_cleanup_free_ char *status = task_field(&n, "lastStatus");
	ASSERT_STR_EQ(status, "PENDING");
	agent_link_closed(&l, false);

	agent_link_start(&l, n.store, 20);
	ASSERT_INT_EQ(hello(&n, &l, "1.0", n.node_id), 1);
	free(agent_link_next_out(&l));
	ASSERT_TRUE(agent_link_next_out(&l) == NULL);
	agent_link_closed(&l, false);
	node_release(&n);
}

TEST(hub_link_task_state_applied_once)
{
	struct node n;
	ASSERT_INT_EQ(node_new(&n), 0);
	struct agent_link l;
	ASSERT_INT_EQ(connect_node(&n, &l), 0);
	send_task_state(&l, &n, 5, "STOPPED", "STOPPED", 7);
	_cleanup_free_ char *ack = agent_link_next_out(&l);
	ASSERT_STR_EQ(ack, "{\"type\":\"ack\",\"seq\":5}");
	_cleanup_free_ char *code = task_field(&n, "exitCode");
	ASSERT_STR_EQ(code, "7");

	/* A replay with an older seq and other content is acknowledged but not applied. */
	send_task_state(&l, &n, 4, "RUNNING", "RUNNING", 9);
	_cleanup_free_ char *ack2 = agent_link_next_out(&l);
	ASSERT_STR_EQ(ack2, "{\"type\":\"ack\",\"seq\":4}");
	_cleanup_free_ char *code2 = task_field(&n, "exitCode");
	ASSERT_STR_EQ(code2, "7");
	_cleanup_free_ char *stop = task_field(&n, "stopCode");
	ASSERT_STR_EQ(stop, "EssentialContainerExited");
	agent_link_closed(&l, false);
	node_release(&n);
}

/* The hub keeps only the highest seq it applied: a frame it failed to store must end the link,
 * or a later frame of the same connection, applied, would make it look applied when it comes
 * again. */
static void store_step(struct hub_store *s, const char *sql)
{
	_cleanup_stmt_ sqlite3_stmt *st = hub_store_prepare(s, sql, NULL);
	if (st)
		sqlite3_step(st);
}

TEST(hub_link_task_state_not_stored_ends_the_link)
{
	struct node n;
	ASSERT_INT_EQ(node_new(&n), 0);
	struct agent_link l;
	ASSERT_INT_EQ(connect_node(&n, &l), 0);
	store_step(n.store, "CREATE TRIGGER store_fails BEFORE UPDATE ON tasks "
			    "BEGIN SELECT RAISE(ABORT, 'disk I/O error'); END");
	send_task_state(&l, &n, 5, "RUNNING", "RUNNING", 0);
	_cleanup_free_ char *answer = agent_link_next_out(&l);
	ASSERT_TRUE(!answer || !strstr(answer, "\"ack\""));
	free(agent_link_next_out(&l));
	ASSERT_INT_EQ(l.close_code, CLOSE_INTERNAL_ERROR);
	/* The next frame of that connection is not applied, nor acknowledged. */
	store_step(n.store, "DROP TRIGGER store_fails");
	send_task_state(&l, &n, 6, "STOPPED", "STOPPED", 7);
	_cleanup_free_ char *after = agent_link_next_out(&l);
	ASSERT_TRUE(after == NULL);
	_cleanup_free_ char *code = task_field(&n, "exitCode");
	ASSERT_STR_EQ(code, "(none)");
	agent_link_closed(&l, false);

	/* The agent's replay on the next connection applies both, in order. */
	struct agent_link l2;
	ASSERT_INT_EQ(connect_node(&n, &l2), 0);
	send_task_state(&l2, &n, 5, "RUNNING", "RUNNING", 0);
	_cleanup_free_ char *ack5 = agent_link_next_out(&l2);
	ASSERT_STR_EQ(ack5, "{\"type\":\"ack\",\"seq\":5}");
	send_task_state(&l2, &n, 6, "STOPPED", "STOPPED", 7);
	_cleanup_free_ char *ack6 = agent_link_next_out(&l2);
	ASSERT_STR_EQ(ack6, "{\"type\":\"ack\",\"seq\":6}");
	_cleanup_free_ char *code2 = task_field(&n, "exitCode");
	ASSERT_STR_EQ(code2, "7");
	agent_link_closed(&l2, false);
	node_release(&n);
}

/* DescribeTasks' view of the node's task (the caller deletes it). */
static cJSON *described_task(struct node *n)
{
	char body[512];
	snprintf(body, sizeof(body), "{\"tasks\":[\"%s\"]}", n->task_arn);
	_cleanup_free_ char *out = call(n->store, "AmazonEC2ContainerServiceV20141113.DescribeTasks", body);
	cJSON *o = cJSON_Parse(out);
	cJSON *t = cJSON_DetachItemFromArray(cJSON_GetObjectItem(o, "tasks"), 0);
	cJSON_Delete(o);
	return t;
}

static void send_health(struct agent_link *l, const struct node *n, int seq, const char *status,
			const char *health, const char *output)
{
	char frame[1024];
	snprintf(frame, sizeof(frame),
		 "{\"type\":\"task_state\",\"seq\":%d,\"task_arn\":\"%s\",\"status\":\"%s\","
		 "\"health_status\":\"%s\",\"containers\":[{\"name\":\"c\",\"status\":\"%s\","
		 "\"reason\":null,\"health_status\":\"%s\"%s%s%s}]}",
		 seq, n->task_arn, status, health, status, health, output ? ",\"health_output\":\"" : "",
		 output ? output : "", output ? "\"" : "");
	send_text(l, frame);
	free(agent_link_next_out(l));
}

#define ASSERT_MEMBER(obj, name, want)                                                   \
	do {                                                                             \
		const cJSON *v_ = cJSON_GetObjectItem(obj, name);                        \
		ASSERT_STR_EQ(cJSON_IsString(v_) ? v_->valuestring : "(none)", want);    \
	} while (0)

TEST(hub_link_health_stored_and_described)
{
	struct node n;
	ASSERT_INT_EQ(node_new(&n), 0);
	struct agent_link l;
	ASSERT_INT_EQ(connect_node(&n, &l), 0);
	/* Before any health: the task UNKNOWN, as ECS shows a task without checks. */
	cJSON *t = described_task(&n);
	ASSERT_MEMBER(t, "healthStatus", "UNKNOWN");
	ASSERT_MEMBER(cJSON_GetArrayItem(cJSON_GetObjectItem(t, "containers"), 0), "healthStatus",
		      "(none)");
	cJSON_Delete(t);
	/* UNHEALTHY with the failing output, shown as the running container's reason. */
	send_health(&l, &n, 5, "RUNNING", "UNHEALTHY", "no answer\\n");
	t = described_task(&n);
	const cJSON *c = cJSON_GetArrayItem(cJSON_GetObjectItem(t, "containers"), 0);
	ASSERT_MEMBER(t, "healthStatus", "UNHEALTHY");
	ASSERT_MEMBER(c, "healthStatus", "UNHEALTHY");
	ASSERT_MEMBER(c, "reason", "no answer\n");
	cJSON_Delete(t);
	/* HEALTHY again: the output goes with it. */
	send_health(&l, &n, 6, "RUNNING", "HEALTHY", NULL);
	t = described_task(&n);
	c = cJSON_GetArrayItem(cJSON_GetObjectItem(t, "containers"), 0);
	ASSERT_MEMBER(t, "healthStatus", "HEALTHY");
	ASSERT_MEMBER(c, "healthStatus", "HEALTHY");
	ASSERT_MEMBER(c, "reason", "(none)");
	cJSON_Delete(t);
	/* An unknown value is ignored: what was stored stays. */
	send_health(&l, &n, 7, "RUNNING", "SICK", "x");
	t = described_task(&n);
	ASSERT_MEMBER(t, "healthStatus", "HEALTHY");
	cJSON_Delete(t);
	/* A stopped container's reason is never a health check's output. */
	send_health(&l, &n, 8, "STOPPED", "UNHEALTHY", "late");
	t = described_task(&n);
	c = cJSON_GetArrayItem(cJSON_GetObjectItem(t, "containers"), 0);
	ASSERT_MEMBER(c, "healthStatus", "UNHEALTHY");
	ASSERT_MEMBER(c, "reason", "(none)");
	cJSON_Delete(t);
	agent_link_closed(&l, false);
	node_release(&n);
}

static void send_restart_count(struct agent_link *l, const struct node *n, int seq,
			       const char *count)
{
	char frame[1024];
	snprintf(frame, sizeof(frame),
		 "{\"type\":\"task_state\",\"seq\":%d,\"task_arn\":\"%s\",\"status\":\"RUNNING\","
		 "\"containers\":[{\"name\":\"c\",\"status\":\"RUNNING\",\"reason\":null%s%s}]}",
		 seq, n->task_arn, count ? ",\"restart_count\":" : "", count ? count : "");
	send_text(l, frame);
	free(agent_link_next_out(l));
}

TEST(hub_link_restart_count_stored_and_described)
{
	struct node n;
	ASSERT_INT_EQ(node_new(&n), 0);
	struct agent_link l;
	ASSERT_INT_EQ(connect_node(&n, &l), 0);
	/* Not reported (no restart policy): not shown. */
	send_restart_count(&l, &n, 5, NULL);
	cJSON *t = described_task(&n);
	const cJSON *c = cJSON_GetArrayItem(cJSON_GetObjectItem(t, "containers"), 0);
	ASSERT_TRUE(!cJSON_GetObjectItem(c, "restartCount"));
	cJSON_Delete(t);
	send_restart_count(&l, &n, 6, "0");
	send_restart_count(&l, &n, 7, "3");
	t = described_task(&n);
	c = cJSON_GetArrayItem(cJSON_GetObjectItem(t, "containers"), 0);
	ASSERT_INT_EQ(cJSON_GetObjectItem(c, "restartCount")->valueint, 3);
	ASSERT_MEMBER(c, "lastStatus", "RUNNING");
	cJSON_Delete(t);
	/* A value that is no count is ignored: what was stored stays. */
	send_restart_count(&l, &n, 8, "-1");
	send_restart_count(&l, &n, 9, "\"4\"");
	send_restart_count(&l, &n, 10, "2.5");
	t = described_task(&n);
	c = cJSON_GetArrayItem(cJSON_GetObjectItem(t, "containers"), 0);
	ASSERT_INT_EQ(cJSON_GetObjectItem(c, "restartCount")->valueint, 3);
	cJSON_Delete(t);
	agent_link_closed(&l, false);
	node_release(&n);
}

TEST(hub_link_malformed_task_state_refused_and_acked)
{
	struct node n;
	ASSERT_INT_EQ(node_new(&n), 0);
	struct agent_link l;
	ASSERT_INT_EQ(connect_node(&n, &l), 0);
	send_task_state(&l, &n, 6, "STOPPED", "BOGUS", 7);
	/* Refused with a reason, and acknowledged so that the agent stops resending it. */
	_cleanup_free_ char *error = agent_link_next_out(&l);
	ASSERT_CONTAINS(error, "\"type\":\"error\"");
	ASSERT_CONTAINS(error, "containers with a name and a status");
	_cleanup_free_ char *ack = agent_link_next_out(&l);
	ASSERT_STR_EQ(ack, "{\"type\":\"ack\",\"seq\":6}");
	/* Nothing of it was applied: the task is not stopped and has no exit code. */
	_cleanup_free_ char *status = task_field(&n, "lastStatus");
	ASSERT_TRUE(strcmp(status, "STOPPED") != 0);
	_cleanup_free_ char *code = task_field(&n, "exitCode");
	ASSERT_STR_EQ(code, "(none)");
	agent_link_closed(&l, false);
	node_release(&n);
}

TEST(hub_link_task_state_of_a_task_not_on_this_node_refused)
{
	struct node n;
	ASSERT_INT_EQ(node_new(&n), 0);
	struct agent_link l;
	ASSERT_INT_EQ(connect_node(&n, &l), 0);
	send_text(&l, "{\"type\":\"task_state\",\"seq\":8,"
		      "\"task_arn\":\"arn:aws:ecs:local:000000000000:task/default/made-up\","
		      "\"status\":\"RUNNING\",\"containers\":[{\"name\":\"c\",\"status\":\"RUNNING\"}]}");
	_cleanup_free_ char *error = agent_link_next_out(&l);
	ASSERT_CONTAINS(error, "made-up: not a task of this node");
	_cleanup_free_ char *ack = agent_link_next_out(&l);
	ASSERT_STR_EQ(ack, "{\"type\":\"ack\",\"seq\":8}");
	agent_link_closed(&l, false);
	node_release(&n);
}

TEST(hub_link_node_status_with_bad_resources_refused)
{
	struct node n;
	ASSERT_INT_EQ(node_new(&n), 0);
	struct agent_link l;
	ASSERT_INT_EQ(connect_node(&n, &l), 0);
	send_text(&l, "{\"type\":\"node_status\",\"resources\":{\"cpu\":-1,\"memory\":\"lots\"}}");
	_cleanup_free_ char *error = agent_link_next_out(&l);
	ASSERT_CONTAINS(error, "resources need positive integers cpu and memory");
	send_text(&l, "{\"type\":\"node_status\",\"resources\":{\"cpu\":2048,\"memory\":4096}}");
	ASSERT_TRUE(agent_link_next_out(&l) == NULL);
	agent_link_closed(&l, false);
	node_release(&n);
}

TEST(hub_link_bad_frames_answered_with_error)
{
	struct node n;
	ASSERT_INT_EQ(node_new(&n), 0);
	struct agent_link l;
	ASSERT_INT_EQ(connect_node(&n, &l), 0);
	send_text(&l, "not json");
	_cleanup_free_ char *e1 = agent_link_next_out(&l);
	ASSERT_CONTAINS(e1, "\"type\":\"error\"");
	send_text(&l, "{\"type\":\"task_state\",\"seq\":1,\"status\":\"BOGUS\"}");
	_cleanup_free_ char *e2 = agent_link_next_out(&l);
	ASSERT_CONTAINS(e2, "\"type\":\"error\"");
	_cleanup_free_ char *a2 = agent_link_next_out(&l);
	ASSERT_STR_EQ(a2, "{\"type\":\"ack\",\"seq\":1}");
	send_text(&l, "{\"type\":\"task_assign\",\"seq\":3}");
	_cleanup_free_ char *e3 = agent_link_next_out(&l);
	ASSERT_CONTAINS(e3, "\"type\":\"error\"");
	ASSERT_INT_EQ(l.close_code, 0);
	agent_link_closed(&l, false);
	node_release(&n);
}

TEST(hub_link_reads_the_queue_only_when_told)
{
	struct node n;
	ASSERT_INT_EQ(node_new(&n), 0);
	struct agent_link l;
	ASSERT_INT_EQ(connect_node(&n, &l), 0);
	ASSERT_TRUE(agent_link_next_out(&l) == NULL); /* the queue is read and found empty */
	char body[512];
	snprintf(body, sizeof(body), "{\"task\":\"%s\"}", n.task_arn);
	free(call(n.store, "AmazonEC2ContainerServiceV20141113.StopTask", body));
	/* Nobody told the link: it does not look at the store on every write. */
	_cleanup_free_ char *none = agent_link_next_out(&l);
	ASSERT_TRUE(none == NULL);
	agent_link_outbox_changed(&l);
	_cleanup_free_ char *stop = agent_link_next_out(&l);
	ASSERT_CONTAINS(stop, "\"task_stop\"");
	agent_link_release(&l);
	node_release(&n);
}

static void remember_node(void *userdata, const char *node_id)
{
	snprintf(userdata, 64, "%s", node_id);
}

TEST(hub_store_names_the_node_a_frame_was_queued_for)
{
	struct node n;
	ASSERT_INT_EQ(node_new(&n), 0);
	char told[64] = "";
	n.store->on_frame_queued = remember_node;
	n.store->on_frame_queued_userdata = told;
	free(call(n.store, "AmazonEC2ContainerServiceV20141113.RunTask", "{\"taskDefinition\":\"f\"}"));
	ASSERT_STR_EQ(told, n.node_id);
	node_release(&n);
}

static const char *const ecs = "AmazonEC2ContainerServiceV20141113.";

static int ecs_call(struct hub_store *s, const char *action, const char *body, char **out)
{
	char target[128];
	snprintf(target, sizeof(target), "%s%s", ecs, action);
	return api_dispatch(s, target, body, strlen(body), out);
}

/* The ARN of the store's only listed instance (NULL when none is listed). */
static char *listed_instance(struct hub_store *s, const char *body)
{
	_cleanup_free_ char *out = NULL;
	ecs_call(s, "ListContainerInstances", body, &out);
	_cleanup_(cjson_deletep) cJSON *o = cJSON_Parse(out);
	const cJSON *a = cJSON_GetArrayItem(cJSON_GetObjectItem(o, "containerInstanceArns"), 0);
	return cJSON_IsString(a) ? strdup(a->valuestring) : NULL;
}

TEST(hub_link_deregister_frame_closes_4004_and_orphans_the_tasks)
{
	struct node n;
	ASSERT_INT_EQ(node_new(&n), 0);
	_cleanup_free_ char *arn = listed_instance(n.store, "{}");
	ASSERT_TRUE(arn != NULL);
	struct agent_link l;
	ASSERT_INT_EQ(connect_node(&n, &l), 0);
	send_text(&l, "{\"type\":\"deregister\"}");
	ASSERT_INT_EQ(l.close_code, CLOSE_DEREGISTERED);
	ASSERT_STR_EQ(l.close_reason, "node deregistered");
	agent_link_closed(&l, false);
	_cleanup_free_ char *status = task_field(&n, "lastStatus");
	_cleanup_free_ char *reason = task_field(&n, "stoppedReason");
	ASSERT_STR_EQ(status, "STOPPED");
	ASSERT_STR_EQ(reason, "Container instance deregistered");
	_cleanup_free_ char *still_listed = listed_instance(n.store, "{}");
	ASSERT_TRUE(still_listed == NULL);
	/* The same key cannot come back. */
	agent_link_start(&l, n.store, 20);
	ASSERT_INT_EQ(hello(&n, &l, "1.0", n.node_id), 0);
	ASSERT_INT_EQ(l.close_code, CLOSE_DEREGISTERED);
	agent_link_release(&l);
	node_release(&n);
}

TEST(hub_link_deregister_before_welcome_is_an_authentication_failure)
{
	struct node n;
	ASSERT_INT_EQ(node_new(&n), 0);
	struct agent_link l;
	agent_link_start(&l, n.store, 20);
	free(agent_link_next_out(&l));
	send_text(&l, "{\"type\":\"deregister\"}");
	ASSERT_INT_EQ(l.close_code, CLOSE_AUTH_FAILED);
	_cleanup_free_ char *arn = listed_instance(n.store, "{}");
	ASSERT_TRUE(arn != NULL); /* still ACTIVE */
	agent_link_release(&l);
	node_release(&n);
}

TEST(hub_api_deregister_refuses_an_instance_with_tasks_unless_forced)
{
	struct node n;
	ASSERT_INT_EQ(node_new(&n), 0);
	_cleanup_free_ char *arn = listed_instance(n.store, "{}");
	ASSERT_TRUE(arn != NULL);
	struct agent_link l;
	ASSERT_INT_EQ(connect_node(&n, &l), 0);
	char body[512];
	_cleanup_free_ char *refused = NULL;
	snprintf(body, sizeof(body), "{\"containerInstance\":\"%s\",\"force\":false}", arn);
	ASSERT_INT_EQ(ecs_call(n.store, "DeregisterContainerInstance", body, &refused), 400);
	ASSERT_CONTAINS(refused, "InvalidParameterException");
	ASSERT_CONTAINS(refused, "1 task(s) not yet STOPPED");
	_cleanup_free_ char *active = listed_instance(n.store, "{}");
	ASSERT_TRUE(active != NULL);
	agent_link_outbox_changed(&l);
	ASSERT_INT_EQ(l.close_code, 0);

	/* Forced, by bare id: INACTIVE, the task orphaned, the open link closed once woken. */
	_cleanup_free_ char *done = NULL;
	snprintf(body, sizeof(body), "{\"containerInstance\":\"%s\",\"force\":true}",
		 strrchr(arn, '/') + 1);
	ASSERT_INT_EQ(ecs_call(n.store, "DeregisterContainerInstance", body, &done), 200);
	ASSERT_CONTAINS(done, "\"status\":\"INACTIVE\"");
	ASSERT_CONTAINS(done, arn);
	_cleanup_free_ char *status = task_field(&n, "lastStatus");
	ASSERT_STR_EQ(status, "STOPPED");
	agent_link_outbox_changed(&l);
	ASSERT_INT_EQ(l.close_code, CLOSE_DEREGISTERED);
	/* Orphaned, not stopped: no task_stop goes to the node. */
	char *next;
	while ((next = agent_link_next_out(&l))) {
		bool is_stop = strstr(next, "task_stop") != NULL;
		free(next);
		ASSERT_TRUE(!is_stop);
	}
	agent_link_closed(&l, false);

	_cleanup_free_ char *again = NULL;
	ASSERT_INT_EQ(ecs_call(n.store, "DeregisterContainerInstance", body, &again), 400);
	ASSERT_CONTAINS(again, "ClientException");
	ASSERT_CONTAINS(again, "is inactive");
	_cleanup_free_ char *run = NULL;
	ASSERT_INT_EQ(ecs_call(n.store, "RunTask", "{\"taskDefinition\":\"f\"}", &run), 200);
	ASSERT_CONTAINS(run, "\"tasks\":[]");
	node_release(&n);
}

TEST(hub_api_deregister_refusals)
{
	struct node n;
	ASSERT_INT_EQ(node_new(&n), 0);
	static const struct {
		const char *body, *answer;
	} cases[] = {
		{ "{}", "containerInstance is required" },
		{ "{\"containerInstance\":\"0123456789abcdef\"}",
		  "The referenced container instance was not found." },
		{ "{\"containerInstance\":\"arn:aws:ecs:local:000000000000:task/default/x\"}",
		  "not a container instance id or ARN" },
		{ "{\"containerInstance\":\"x\",\"force\":\"yes\"}", "force must be a boolean" },
		{ "{\"containerInstance\":\"x\",\"cluster\":\"nope\"}", "ClusterNotFoundException" },
	};
	for (size_t i = 0; i < ELEMENTSOF(cases); i++) {
		_cleanup_free_ char *out = NULL;
		ASSERT_INT_EQ(ecs_call(n.store, "DeregisterContainerInstance", cases[i].body, &out),
			      400);
		ASSERT_CONTAINS(out, cases[i].answer);
	}
	node_release(&n);
}

TEST(hub_api_list_instances_statuses_as_ecs_takes_them)
{
	struct node n;
	ASSERT_INT_EQ(node_new(&n), 0);
	_cleanup_free_ char *active = listed_instance(n.store, "{\"status\":\"ACTIVE\"}");
	ASSERT_TRUE(active != NULL);
	_cleanup_free_ char *draining = listed_instance(n.store, "{\"status\":\"DRAINING\"}");
	ASSERT_TRUE(draining == NULL);
	_cleanup_free_ char *inactive = NULL, *filtered = NULL;
	ASSERT_INT_EQ(ecs_call(n.store, "ListContainerInstances", "{\"status\":\"INACTIVE\"}",
			       &inactive), 400);
	ASSERT_CONTAINS(inactive, "status must be one of ACTIVE");
	ASSERT_INT_EQ(ecs_call(n.store, "ListContainerInstances", "{\"filter\":\"x\"}", &filtered),
		      400);
	ASSERT_CONTAINS(filtered, "filter: position 1: expected a subject");
	node_release(&n);
}

/* The reconciliation's frames through the session: the welcome tells the counters, a
 * task_report is answered with the manifest, a task_stop_verify with the confirmation. */
TEST(hub_link_welcome_tells_counters_and_reconciliation_is_answered)
{
	struct node n;
	ASSERT_INT_EQ(node_new(&n), 0);
	struct agent_link l;
	agent_link_start(&l, n.store, 20);
	ASSERT_INT_EQ(hello(&n, &l, "1.1", n.node_id), 1);
	_cleanup_free_ char *welcome = agent_link_next_out(&l);
	ASSERT_CONTAINS(welcome, "\"agent_seq\":0");
	ASSERT_CONTAINS(welcome, "\"hub_seq\":1");
	free(agent_link_next_out(&l)); /* the assignment */
	send_text(&l, "{\"type\":\"ack\",\"seq\":1}");
	char report[1024];
	snprintf(report, sizeof(report),
		 "{\"type\":\"task_report\",\"report\":5,\"acked_seq\":0,\"hub_seq_seen\":1,"
		 "\"complete\":true,\"tasks\":[{\"task_arn\":\"%s\",\"status\":\"RUNNING\"},"
		 "{\"task_arn\":\"arn:aws:ecs:local:000000000000:task/default/ab\",\"status\":\"RUNNING\"}]}",
		 n.task_arn);
	send_text(&l, report);
	_cleanup_free_ char *manifest = agent_link_next_out(&l);
	ASSERT_CONTAINS(manifest, "\"type\":\"task_manifest\",\"report\":5");
	char mine[512];
	snprintf(mine, sizeof(mine), "{\"task_arn\":\"%s\",\"desired_status\":\"RUNNING\"}", n.task_arn);
	ASSERT_CONTAINS(manifest, mine);
	ASSERT_CONTAINS(manifest, "task/default/ab\",\"desired_status\":\"STOPPED\"");
	send_text(&l, "{\"type\":\"task_stop_verify\",\"report\":5,\"task_arns\":["
		      "\"arn:aws:ecs:local:000000000000:task/default/ab\"]}");
	_cleanup_free_ char *confirm = agent_link_next_out(&l);
	ASSERT_CONTAINS(confirm, "\"type\":\"task_stop_confirm\",\"report\":5,\"task_arns\":["
				 "\"arn:aws:ecs:local:000000000000:task/default/ab\"]");
	send_text(&l, "{\"type\":\"task_report\",\"report\":6}");
	_cleanup_free_ char *refused = agent_link_next_out(&l);
	ASSERT_CONTAINS(refused, "task_report needs \\\"acked_seq\\\"");
	agent_link_closed(&l, false);
	node_release(&n);
}
