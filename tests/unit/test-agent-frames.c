/* The agent's handling of hub frames, with a fake task manager and link: assignments stored
 * before they are acked, started once, stops, outbox acks, and error frames for bad input. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "agent/link/frame_handler.h"
#include "agent/state/store.h"
#include "agent/tasks/task_state_frame.h"
#include "tests/unit/test.h"

struct fake {
	struct store *store;
	char sent[16][512];
	size_t n_sent;
	int starts;
	int stops;
	int welcomes;
	int forgets;
	char forgotten[64];
	bool stored_when_started;
	char last_stop_reason[64];
	uint64_t metrics_acked;
};

static char *fake_hello(void *userdata, const char *nonce, struct error *err)
{
	(void)userdata;
	(void)err;
	char *text = NULL;
	if (asprintf(&text, "{\"type\":\"hello\",\"nonce_seen\":\"%s\"}", nonce) < 0)
		return NULL;
	return text;
}

static void fake_send(void *userdata, const char *text)
{
	struct fake *f = userdata;
	if (f->n_sent < 16)
		snprintf(f->sent[f->n_sent++], 512, "%s", text);
}

static void fake_welcome(void *userdata, const cJSON *welcome)
{
	(void)welcome;
	((struct fake *)userdata)->welcomes++;
}

static int count_task(void *userdata, const char *arn, const char *def, const char *status,
		      const char *last)
{
	(void)arn;
	(void)def;
	(void)status;
	(void)last;
	(*(int *)userdata)++;
	return 0;
}

static int fake_start(void *userdata, const char *arn, const cJSON *def, struct error *err)
{
	(void)arn;
	(void)def;
	(void)err;
	struct fake *f = userdata;
	int n = 0;
	store_tasks_foreach(f->store, count_task, &n, NULL);
	f->stored_when_started = n > 0;
	f->starts++;
	return 0;
}

static int fake_stop(void *userdata, const char *arn, const char *reason)
{
	struct fake *f = userdata;
	f->stops++;
	snprintf(f->last_stop_reason, sizeof(f->last_stop_reason), "%s", reason);
	return strcmp(arn, "arn:unknown") ? 0 : -ENOENT;
}

static void fake_forget(void *userdata, const char *arn)
{
	struct fake *f = userdata;
	f->forgets++;
	snprintf(f->forgotten, sizeof(f->forgotten), "%s", arn);
}

static void fake_metrics_acked(void *userdata, uint64_t batch)
{
	((struct fake *)userdata)->metrics_acked = batch;
}

static const struct frame_handler_ops fake_ops = {
	.make_hello = fake_hello,
	.send = fake_send,
	.on_welcome = fake_welcome,
	.start_task = fake_start,
	.stop_task = fake_stop,
	.forget_task = fake_forget,
	.metrics_acked = fake_metrics_acked,
};

static void feed(struct frame_handler *h, const char *text)
{
	frame_handler_receive(h, text, strlen(text));
}

static bool setup(struct fake *f, struct frame_handler *h)
{
	char path[512];
	snprintf(path, sizeof(path), "%s/state.db", test_tmpdir());
	*f = (struct fake){ 0 };
	if (store_open(path, false, &f->store, NULL) < 0)
		return false;
	*h = (struct frame_handler){ .store = f->store, .ops = &fake_ops, .userdata = f };
	frame_handler_reset(h);
	feed(h, "{\"type\":\"challenge\",\"nonce\":\"abcd\",\"protocol_major\":1}");
	feed(h, "{\"type\":\"welcome\",\"container_instance_arn\":\"x\",\"heartbeat_seconds\":20}");
	f->n_sent = 0;
	return frame_handler_ready(h) && f->welcomes == 1;
}

/* Each of BAD is answered with one frame that holds NEEDLE. */
static void each_answered_with_error(struct fake *f, struct frame_handler *h,
				     const char *const *bad, size_t n, const char *needle)
{
	for (size_t i = 0; i < n; i++) {
		f->n_sent = 0;
		feed(h, bad[i]);
		ASSERT_INT_EQ(f->n_sent, 1);
		ASSERT_CONTAINS(f->sent[0], needle);
	}
}

static const char assign7[] =
	"{\"type\":\"task_assign\",\"seq\":7,\"task_arn\":\"arn:t1\","
	"\"task_definition\":{\"family\":\"web\"}}";

TEST(frames_handshake_answers_challenge_then_waits_for_welcome)
{
	struct fake f = { 0 };
	char path[512];
	snprintf(path, sizeof(path), "%s/state.db", test_tmpdir());
	ASSERT_INT_EQ(store_open(path, false, &f.store, NULL), 0);
	struct frame_handler h = { .store = f.store, .ops = &fake_ops, .userdata = &f };
	frame_handler_reset(&h);
	/* Nothing is acted on, nor answered, before the handshake. */
	feed(&h, assign7);
	feed(&h, "not json");
	ASSERT_INT_EQ(f.starts, 0);
	ASSERT_INT_EQ(f.n_sent, 0);
	feed(&h, "{\"type\":\"challenge\",\"nonce\":\"n0nce\",\"protocol_major\":1}");
	ASSERT_CONTAINS(f.sent[f.n_sent - 1], "\"nonce_seen\":\"n0nce\"");
	ASSERT_TRUE(!frame_handler_ready(&h));
	feed(&h, "{\"type\":\"welcome\",\"container_instance_arn\":\"x\",\"heartbeat_seconds\":20}");
	ASSERT_TRUE(frame_handler_ready(&h));
	ASSERT_INT_EQ(f.welcomes, 1);
	store_close(f.store);
}

TEST(frames_assign_is_stored_then_acked_then_started)
{
	struct fake f;
	struct frame_handler h;
	ASSERT_TRUE(setup(&f, &h));
	feed(&h, assign7);
	ASSERT_INT_EQ(f.starts, 1);
	ASSERT_TRUE(f.stored_when_started);
	ASSERT_INT_EQ(f.n_sent, 1);
	ASSERT_CONTAINS(f.sent[0], "\"type\":\"ack\"");
	ASSERT_CONTAINS(f.sent[0], "\"seq\":7");
	store_close(f.store);
}

TEST(frames_duplicate_assign_is_acked_without_second_start)
{
	struct fake f;
	struct frame_handler h;
	ASSERT_TRUE(setup(&f, &h));
	feed(&h, assign7);
	feed(&h, assign7);
	ASSERT_INT_EQ(f.starts, 1);
	ASSERT_INT_EQ(f.n_sent, 2);
	ASSERT_CONTAINS(f.sent[1], "\"seq\":7");
	int n = 0;
	store_tasks_foreach(f.store, count_task, &n, NULL);
	ASSERT_INT_EQ(n, 1);
	store_close(f.store);
}

TEST(frames_stop_reaches_task_manager_and_is_acked)
{
	struct fake f;
	struct frame_handler h;
	ASSERT_TRUE(setup(&f, &h));
	store_task_add(f.store, "arn:t1", "{}", NULL);
	feed(&h, "{\"type\":\"task_stop\",\"seq\":8,\"task_arn\":\"arn:t1\",\"reason\":\"bye\"}");
	ASSERT_INT_EQ(f.stops, 1);
	ASSERT_STR_EQ(f.last_stop_reason, "bye");
	ASSERT_CONTAINS(f.sent[0], "\"seq\":8");
	/* Stored before the ack: an agent started again stops the task again. */
	ASSERT_INT_EQ(store_task_stop(f.store, "arn:t1", "again", NULL), 0);
	feed(&h, "{\"type\":\"task_stop\",\"seq\":9,\"task_arn\":\"arn:unknown\"}");
	ASSERT_CONTAINS(f.sent[1], "\"seq\":9");
	store_close(f.store);
}

TEST(frames_ack_removes_outbox_row)
{
	struct fake f;
	struct frame_handler h;
	ASSERT_TRUE(setup(&f, &h));
	store_task_add(f.store, "arn:t1", "{}", NULL);
	cJSON *state = cJSON_Parse("{\"type\":\"task_state\",\"task_arn\":\"arn:t1\"}");
	uint64_t seq;
	char *text = NULL;
	ASSERT_INT_EQ(store_task_state_append(f.store, "arn:t1", "RUNNING", state, &seq, &text,
					      NULL), 0);
	cJSON_Delete(state);
	free(text);
	uint64_t n = 0;
	store_outbox_count(f.store, &n, NULL);
	ASSERT_INT_EQ(n, 1);
	char ack[64];
	snprintf(ack, sizeof(ack), "{\"type\":\"ack\",\"seq\":%llu}", (unsigned long long)seq);
	feed(&h, ack);
	store_outbox_count(f.store, &n, NULL);
	ASSERT_INT_EQ(n, 0);
	ASSERT_INT_EQ(f.n_sent, 0);
	store_close(f.store);
}

TEST(frames_acked_stop_forgets_task_and_its_redelivery_does_not_start)
{
	struct fake f;
	struct frame_handler h;
	ASSERT_TRUE(setup(&f, &h));
	feed(&h, assign7);
	ASSERT_INT_EQ(f.starts, 1);
	cJSON *state = cJSON_Parse("{\"type\":\"task_state\",\"task_arn\":\"arn:t1\"}");
	uint64_t seq;
	char *text = NULL;
	ASSERT_INT_EQ(store_task_state_append(f.store, "arn:t1", "STOPPED", state, &seq, &text,
					      NULL), 0);
	cJSON_Delete(state);
	free(text);
	char ack[64];
	snprintf(ack, sizeof(ack), "{\"type\":\"ack\",\"seq\":%llu}", (unsigned long long)seq);
	feed(&h, ack);
	ASSERT_INT_EQ(f.forgets, 1);
	ASSERT_STR_EQ(f.forgotten, "arn:t1");
	int n = 0;
	store_tasks_foreach(f.store, count_task, &n, NULL);
	ASSERT_INT_EQ(n, 0);
	/* The hub resends the assignment (its ack was lost): acked again, not run again. */
	f.n_sent = 0;
	feed(&h, assign7);
	ASSERT_INT_EQ(f.starts, 1);
	ASSERT_INT_EQ(f.n_sent, 1);
	ASSERT_CONTAINS(f.sent[0], "\"ack\"");
	store_close(f.store);
}

TEST(frames_bad_input_is_answered_with_error)
{
	struct fake f;
	struct frame_handler h;
	ASSERT_TRUE(setup(&f, &h));
	static const char *const bad[] = {
		"not json",
		"[1,2]",
		"{\"type\":\"no_such_type\"}",
		"{\"type\":\"task_assign\",\"task_arn\":\"a\",\"task_definition\":{}}",
		"{\"type\":\"task_assign\",\"seq\":3,\"task_arn\":5,\"task_definition\":{}}",
		"{\"type\":\"task_assign\",\"seq\":3,\"task_arn\":\"a\",\"task_definition\":[]}",
		"{\"type\":\"task_stop\",\"seq\":4}",
		"{\"type\":\"task_state\",\"seq\":4}",
	};
	each_answered_with_error(&f, &h, bad, sizeof(bad) / sizeof(bad[0]), "\"type\":\"error\"");
	ASSERT_INT_EQ(f.starts, 0);
	ASSERT_TRUE(frame_handler_ready(&h));
	store_close(f.store);
}

TEST(frames_task_state_from_report)
{
	struct container_report containers[] = {
		{ .name = "app", .status = TASK_STOPPED, .has_exit_code = true, .exit_code = 137,
		  .reason = "OutOfMemoryError: Container killed due to memory usage" },
		{ .name = "side", .status = TASK_RUNNING },
	};
	struct task_report report = {
		.task_arn = "arn:t1",
		.status = TASK_STOPPED,
		.stop_code = "EssentialContainerExited",
		.stopped_reason = "Essential container in task exited",
		.containers = containers,
		.n_containers = 2,
	};
	cJSON *f = task_state_frame_new(&report, 12.5);
	ASSERT_TRUE(f);
	ASSERT_TRUE(!cJSON_GetObjectItem(f, "seq"));
	ASSERT_STR_EQ(cJSON_GetObjectItem(f, "type")->valuestring, "task_state");
	ASSERT_STR_EQ(cJSON_GetObjectItem(f, "status")->valuestring, "STOPPED");
	ASSERT_STR_EQ(cJSON_GetObjectItem(f, "stop_code")->valuestring, "EssentialContainerExited");
	cJSON *c = cJSON_GetArrayItem(cJSON_GetObjectItem(f, "containers"), 0);
	ASSERT_INT_EQ(cJSON_GetObjectItem(c, "exit_code")->valueint, 137);
	ASSERT_CONTAINS(cJSON_GetObjectItem(c, "reason")->valuestring, "OutOfMemoryError");
	c = cJSON_GetArrayItem(cJSON_GetObjectItem(f, "containers"), 1);
	ASSERT_TRUE(!cJSON_GetObjectItem(c, "exit_code"));
	ASSERT_TRUE(cJSON_IsNull(cJSON_GetObjectItem(c, "reason")));
	ASSERT_STR_EQ(cJSON_GetObjectItem(c, "status")->valuestring, "RUNNING");
	/* No pull times known (a task adopted after a restart): none sent. */
	ASSERT_TRUE(!cJSON_GetObjectItem(f, "pull_started_at"));
	cJSON_Delete(f);
	report.pull_started_at = 1764201234.25;
	report.pull_stopped_at = 1764201235.5;
	f = task_state_frame_new(&report, 12.5);
	ASSERT_TRUE(f);
	ASSERT_TRUE(cJSON_GetObjectItem(f, "pull_started_at")->valuedouble == 1764201234.25);
	ASSERT_TRUE(cJSON_GetObjectItem(f, "pull_stopped_at")->valuedouble == 1764201235.5);
	/* No restart policy: no restart_count. */
	ASSERT_TRUE(!cJSON_GetObjectItem(cJSON_GetArrayItem(cJSON_GetObjectItem(f, "containers"), 0),
					 "restart_count"));
	cJSON_Delete(f);
	containers[1].has_restart_policy = true;
	f = task_state_frame_new(&report, 12.5);
	ASSERT_TRUE(f);
	c = cJSON_GetArrayItem(cJSON_GetObjectItem(f, "containers"), 1);
	ASSERT_INT_EQ(cJSON_GetObjectItem(c, "restart_count")->valueint, 0);
	cJSON_Delete(f);
	containers[1].restart_count = 2;
	f = task_state_frame_new(&report, 12.5);
	c = cJSON_GetArrayItem(cJSON_GetObjectItem(f, "containers"), 1);
	ASSERT_INT_EQ(cJSON_GetObjectItem(c, "restart_count")->valueint, 2);
	cJSON_Delete(f);
}

TEST(frames_metrics_ack_reaches_the_buffer_and_a_bad_one_is_answered)
{
	struct fake f;
	struct frame_handler h;
	ASSERT_TRUE(setup(&f, &h));
	feed(&h, "{\"type\":\"metrics_ack\",\"batch\":12}");
	ASSERT_INT_EQ(f.metrics_acked, 12);
	ASSERT_INT_EQ(f.n_sent, 0);
	static const char *const bad[] = {
		"{\"type\":\"metrics_ack\"}",
		"{\"type\":\"metrics_ack\",\"batch\":0}",
		"{\"type\":\"metrics_ack\",\"batch\":\"12\"}",
	};
	each_answered_with_error(&f, &h, bad, sizeof(bad) / sizeof(bad[0]), "metrics_ack needs");
	ASSERT_INT_EQ(f.metrics_acked, 12);
	store_close(f.store);
}

/* The reconciliation through the handler: the report goes out with the welcome, before the
 * outbox is replayed, and a task the hub confirms stops with the reason that says why. */
TEST(frames_welcome_with_counters_reports_and_a_confirmed_stop_reaches_the_task_manager)
{
	struct fake f;
	struct frame_handler h;
	ASSERT_TRUE(setup(&f, &h));
	feed(&h, assign7);
	frame_handler_reset(&h);
	f.n_sent = 0;
	feed(&h, "{\"type\":\"challenge\",\"nonce\":\"abcd\",\"protocol_major\":1}");
	feed(&h, "{\"type\":\"welcome\",\"heartbeat_seconds\":20,\"agent_seq\":0,\"hub_seq\":7}");
	ASSERT_INT_EQ(f.n_sent, 2);
	ASSERT_CONTAINS(f.sent[1], "\"type\":\"task_report\"");
	ASSERT_CONTAINS(f.sent[1], "\"task_arn\":\"arn:t1\",\"status\":\"PENDING\"");
	feed(&h, "{\"type\":\"task_manifest\",\"report\":1,\"tasks\":[{\"task_arn\":\"arn:t1\","
		 "\"desired_status\":\"STOPPED\"}]}");
	ASSERT_INT_EQ(f.n_sent, 3);
	ASSERT_CONTAINS(f.sent[2], "\"type\":\"task_stop_verify\"");
	ASSERT_INT_EQ(f.stops, 0);
	feed(&h, "{\"type\":\"task_stop_confirm\",\"report\":1,\"task_arns\":[\"arn:t1\"]}");
	ASSERT_INT_EQ(f.stops, 1);
	ASSERT_TRUE(!strncmp(f.last_stop_reason, RECONCILE_STOP_REASON, sizeof(f.last_stop_reason) - 1));
	/* A hub that gave a seq above what its welcome says lost history: no question is asked. */
	frame_handler_reset(&h);
	f.n_sent = 0;
	feed(&h, "{\"type\":\"challenge\",\"nonce\":\"abcd\",\"protocol_major\":1}");
	feed(&h, "{\"type\":\"welcome\",\"heartbeat_seconds\":20,\"agent_seq\":0,\"hub_seq\":6}");
	ASSERT_CONTAINS(f.sent[1], "\"task_definition\":{\"family\":\"web\"}");
	feed(&h, "{\"type\":\"task_manifest\",\"report\":2,\"tasks\":[{\"task_arn\":\"arn:t1\","
		 "\"desired_status\":\"STOPPED\"}]}");
	ASSERT_INT_EQ(f.n_sent, 2);
	frame_handler_reset(&h);
	store_close(f.store);
}
