/* The agent's state database: outbox order, acks, durability across reopen, idempotent
 * assignment. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "agent/state/store.h"
#include "tests/unit/test.h"

static struct store *open_store(void)
{
	char path[512];
	snprintf(path, sizeof(path), "%s/state.db", test_tmpdir());
	struct store *s = NULL;
	struct error err = { 0 };
	if (store_open(path, false, &s, &err) < 0)
		fprintf(stderr, "store_open: %s\n", err.message);
	return s;
}

static int append_state(struct store *s, const char *arn, const char *status, uint64_t *seq)
{
	cJSON *f = cJSON_CreateObject();
	cJSON_AddStringToObject(f, "type", "task_state");
	cJSON_AddStringToObject(f, "task_arn", arn);
	cJSON_AddStringToObject(f, "status", status);
	char *text = NULL;
	int r = store_task_state_append(s, arn, status, f, seq, &text, NULL);
	cJSON_Delete(f);
	free(text);
	return r;
}

struct collected {
	uint64_t seqs[16];
	char statuses[16][16];
	size_t n;
};

static int collect(void *userdata, uint64_t seq, const char *frame_text)
{
	struct collected *c = userdata;
	cJSON *j = cJSON_Parse(frame_text);
	if (!j || c->n >= 16)
		return -1;
	c->seqs[c->n] = seq;
	/* The stored frame carries its own seq, as sent. */
	if (cJSON_GetObjectItem(j, "seq")->valuedouble != (double)seq)
		c->seqs[c->n] = 0;
	snprintf(c->statuses[c->n], 16, "%s", cJSON_GetObjectItem(j, "status")->valuestring);
	c->n++;
	cJSON_Delete(j);
	return 0;
}

TEST(store_outbox_keeps_seq_order)
{
	struct store *s = open_store();
	ASSERT_TRUE(s);
	ASSERT_INT_EQ(store_task_add(s, "arn:t1", "{}", NULL), 1);
	uint64_t a, b, c;
	ASSERT_INT_EQ(append_state(s, "arn:t1", "PENDING", &a), 0);
	ASSERT_INT_EQ(append_state(s, "arn:t1", "RUNNING", &b), 0);
	ASSERT_INT_EQ(append_state(s, "arn:t1", "STOPPED", &c), 0);
	ASSERT_INT_EQ(a, 1);
	ASSERT_INT_EQ(b, 2);
	ASSERT_INT_EQ(c, 3);
	struct collected got = { 0 };
	ASSERT_INT_EQ(store_outbox_foreach(s, collect, &got, NULL), 0);
	ASSERT_INT_EQ(got.n, 3);
	ASSERT_INT_EQ(got.seqs[0], 1);
	ASSERT_INT_EQ(got.seqs[2], 3);
	ASSERT_STR_EQ(got.statuses[0], "PENDING");
	ASSERT_STR_EQ(got.statuses[2], "STOPPED");
	store_close(s);
}

TEST(store_ack_deletes_only_that_seq)
{
	struct store *s = open_store();
	ASSERT_TRUE(s);
	store_task_add(s, "arn:t1", "{}", NULL);
	uint64_t seq;
	static const char *const statuses[] = { "PENDING", "RUNNING", "STOPPED" };
	for (int i = 0; i < 3; i++)
		ASSERT_INT_EQ(append_state(s, "arn:t1", statuses[i], &seq), 0);
	ASSERT_INT_EQ(store_outbox_ack(s, 2, NULL), 0);
	ASSERT_INT_EQ(store_outbox_ack(s, 99, NULL), 0);
	struct collected got = { 0 };
	ASSERT_INT_EQ(store_outbox_foreach(s, collect, &got, NULL), 0);
	ASSERT_INT_EQ(got.n, 2);
	ASSERT_INT_EQ(got.seqs[0], 1);
	ASSERT_INT_EQ(got.seqs[1], 3);
	store_close(s);
}

TEST(store_restart_keeps_unacked_rows_and_seq_grows)
{
	struct store *s = open_store();
	ASSERT_TRUE(s);
	store_task_add(s, "arn:t1", "{}", NULL);
	uint64_t seq;
	ASSERT_INT_EQ(append_state(s, "arn:t1", "PENDING", &seq), 0);
	ASSERT_INT_EQ(append_state(s, "arn:t1", "RUNNING", &seq), 0);
	ASSERT_INT_EQ(store_outbox_ack(s, 1, NULL), 0);
	ASSERT_INT_EQ(store_outbox_ack(s, 2, NULL), 0);
	ASSERT_INT_EQ(append_state(s, "arn:t1", "STOPPED", &seq), 0);
	store_close(s);

	s = open_store();
	ASSERT_TRUE(s);
	struct collected got = { 0 };
	ASSERT_INT_EQ(store_outbox_foreach(s, collect, &got, NULL), 0);
	ASSERT_INT_EQ(got.n, 1);
	ASSERT_INT_EQ(got.seqs[0], 3);
	/* Seqs never go back, even once every earlier row was acked and deleted. */
	store_task_add(s, "arn:t2", "{}", NULL);
	ASSERT_INT_EQ(append_state(s, "arn:t2", "STOPPED", &seq), 0);
	ASSERT_INT_EQ(seq, 4);
	store_close(s);
}

TEST(store_same_state_again_is_not_appended)
{
	struct store *s = open_store();
	ASSERT_TRUE(s);
	store_task_add(s, "arn:t1", "{}", NULL);
	uint64_t seq = 99;
	ASSERT_INT_EQ(append_state(s, "arn:t1", "RUNNING", &seq), 0);
	ASSERT_INT_EQ(seq, 1);
	/* Another report time changes nothing the hub would store. */
	cJSON *f = cJSON_CreateObject();
	cJSON_AddStringToObject(f, "type", "task_state");
	cJSON_AddStringToObject(f, "task_arn", "arn:t1");
	cJSON_AddStringToObject(f, "status", "RUNNING");
	cJSON_AddNumberToObject(f, "at", 12345.5);
	char *text = NULL;
	ASSERT_INT_EQ(store_task_state_append(s, "arn:t1", "RUNNING", f, &seq, &text, NULL), 0);
	cJSON_Delete(f);
	ASSERT_INT_EQ(seq, 0);
	ASSERT_TRUE(text == NULL);
	uint64_t n = 0;
	ASSERT_INT_EQ(store_outbox_count(s, &n, NULL), 0);
	ASSERT_INT_EQ(n, 1);
	/* A real change still goes out, with the next seq. */
	ASSERT_INT_EQ(append_state(s, "arn:t1", "STOPPED", &seq), 0);
	ASSERT_INT_EQ(seq, 2);
	store_close(s);
}

/* A task adopted after a restart no longer knows its pull's times: the same state without
 * them is no new state (the hub keeps the first times it was given). */
TEST(store_same_state_without_pull_times_is_not_appended)
{
	struct store *s = open_store();
	ASSERT_TRUE(s);
	store_task_add(s, "arn:t2", "{}", NULL);
	uint64_t seq = 0;
	char *text = NULL;
	cJSON *f = cJSON_CreateObject();
	cJSON_AddStringToObject(f, "type", "task_state");
	cJSON_AddStringToObject(f, "task_arn", "arn:t2");
	cJSON_AddStringToObject(f, "status", "RUNNING");
	cJSON_AddNumberToObject(f, "pull_started_at", 100.5);
	cJSON_AddNumberToObject(f, "pull_stopped_at", 101.5);
	ASSERT_INT_EQ(store_task_state_append(s, "arn:t2", "RUNNING", f, &seq, &text, NULL), 0);
	cJSON_Delete(f);
	free(text);
	ASSERT_INT_EQ(seq, 1);
	ASSERT_INT_EQ(append_state(s, "arn:t2", "RUNNING", &seq), 0);
	ASSERT_INT_EQ(seq, 0);
	/* Other times than the stored ones are a change. */
	f = cJSON_CreateObject();
	cJSON_AddStringToObject(f, "type", "task_state");
	cJSON_AddStringToObject(f, "task_arn", "arn:t2");
	cJSON_AddStringToObject(f, "status", "RUNNING");
	cJSON_AddNumberToObject(f, "pull_started_at", 200.5);
	text = NULL;
	ASSERT_INT_EQ(store_task_state_append(s, "arn:t2", "RUNNING", f, &seq, &text, NULL), 0);
	cJSON_Delete(f);
	free(text);
	ASSERT_INT_EQ(seq, 2);
	store_close(s);
}

struct task_row {
	int n;
	char status[16];
	char definition[64];
};

static int task_row(void *userdata, const char *arn, const char *def, const char *status,
		    const char *last_state)
{
	(void)arn;
	(void)last_state;
	struct task_row *t = userdata;
	t->n++;
	snprintf(t->status, sizeof(t->status), "%s", status ? status : "(none)");
	snprintf(t->definition, sizeof(t->definition), "%s", def);
	return 0;
}

TEST(store_task_add_is_idempotent)
{
	struct store *s = open_store();
	ASSERT_TRUE(s);
	ASSERT_INT_EQ(store_task_add(s, "arn:t1", "{\"family\":\"a\"}", NULL), 1);
	ASSERT_INT_EQ(store_task_add(s, "arn:t1", "{\"family\":\"b\"}", NULL), 0);
	struct task_row t = { 0 };
	ASSERT_INT_EQ(store_tasks_foreach(s, task_row, &t, NULL), 0);
	ASSERT_INT_EQ(t.n, 1);
	ASSERT_STR_EQ(t.definition, "{\"family\":\"a\"}");
	ASSERT_STR_EQ(t.status, "(none)");
	uint64_t seq;
	ASSERT_INT_EQ(append_state(s, "arn:t1", "RUNNING", &seq), 0);
	t = (struct task_row){ 0 };
	ASSERT_INT_EQ(store_tasks_foreach(s, task_row, &t, NULL), 0);
	ASSERT_STR_EQ(t.status, "RUNNING");
	store_close(s);
}

TEST(store_ack_of_final_state_forgets_task_but_not_its_arn)
{
	struct store *s = open_store();
	ASSERT_TRUE(s);
	ASSERT_INT_EQ(store_task_add(s, "arn:t1", "{}", NULL), 1);
	ASSERT_INT_EQ(store_task_add(s, "arn:t2", "{}", NULL), 1);
	uint64_t running, stopped, other;
	ASSERT_INT_EQ(append_state(s, "arn:t1", "RUNNING", &running), 0);
	ASSERT_INT_EQ(append_state(s, "arn:t1", "STOPPED", &stopped), 0);
	ASSERT_INT_EQ(append_state(s, "arn:t2", "STOPPED", &other), 0);
	char *arn = NULL;
	/* A state that is not the task's final one forgets nothing. */
	ASSERT_INT_EQ(store_outbox_ack_task(s, running, &arn, NULL), 0);
	ASSERT_TRUE(arn == NULL);
	struct task_row t = { 0 };
	ASSERT_INT_EQ(store_tasks_foreach(s, task_row, &t, NULL), 0);
	ASSERT_INT_EQ(t.n, 2);
	ASSERT_INT_EQ(store_outbox_ack_task(s, stopped, &arn, NULL), 0);
	ASSERT_STR_EQ(arn, "arn:t1");
	free(arn);
	t = (struct task_row){ 0 };
	ASSERT_INT_EQ(store_tasks_foreach(s, task_row, &t, NULL), 0);
	ASSERT_INT_EQ(t.n, 1); /* arn:t2's STOPPED is not acked yet */
	/* A redelivered assignment of the forgotten task is known, also after a reopen. */
	ASSERT_INT_EQ(store_task_add(s, "arn:t1", "{}", NULL), 0);
	store_close(s);
	s = open_store();
	ASSERT_TRUE(s);
	ASSERT_INT_EQ(store_task_add(s, "arn:t1", "{}", NULL), 0);
	t = (struct task_row){ 0 };
	ASSERT_INT_EQ(store_tasks_foreach(s, task_row, &t, NULL), 0);
	ASSERT_INT_EQ(t.n, 1);
	store_close(s);
}

struct stop_rows {
	char arns[4][32], reasons[4][32];
	int n;
};

static int stop_row(void *userdata, const char *arn, const char *reason)
{
	struct stop_rows *t = userdata;
	if (t->n < 4) {
		snprintf(t->arns[t->n], 32, "%s", arn);
		snprintf(t->reasons[t->n], 32, "%s", reason);
	}
	t->n++;
	return 0;
}

TEST(store_stop_of_a_stored_task_is_kept_until_it_is_forgotten)
{
	struct store *s = open_store();
	ASSERT_TRUE(s);
	ASSERT_INT_EQ(store_task_add(s, "arn:t1", "{}", NULL), 1);
	/* Unknown (or forgotten) tasks have nothing to stop. */
	ASSERT_INT_EQ(store_task_stop(s, "arn:unknown", "bye", NULL), 0);
	ASSERT_INT_EQ(store_task_stop(s, "arn:t1", "first", NULL), 1);
	ASSERT_INT_EQ(store_task_stop(s, "arn:t1", "second", NULL), 0);
	store_close(s);
	s = open_store();
	ASSERT_TRUE(s);
	struct stop_rows t = { 0 };
	ASSERT_INT_EQ(store_stops_foreach(s, stop_row, &t, NULL), 0);
	ASSERT_INT_EQ(t.n, 1);
	ASSERT_STR_EQ(t.arns[0], "arn:t1");
	ASSERT_STR_EQ(t.reasons[0], "first");
	uint64_t stopped;
	ASSERT_INT_EQ(append_state(s, "arn:t1", "STOPPED", &stopped), 0);
	char *arn = NULL;
	ASSERT_INT_EQ(store_outbox_ack_task(s, stopped, &arn, NULL), 0);
	ASSERT_STR_EQ(arn, "arn:t1");
	free(arn);
	t = (struct stop_rows){ 0 };
	ASSERT_INT_EQ(store_stops_foreach(s, stop_row, &t, NULL), 0);
	ASSERT_INT_EQ(t.n, 0);
	store_close(s);
}

TEST(store_meta_round_trip_and_read_only_open)
{
	struct store *s = open_store();
	ASSERT_TRUE(s);
	ASSERT_INT_EQ(store_meta_set(s, "connection", "connected", NULL), 0);
	ASSERT_INT_EQ(store_meta_set(s, "connection", "disconnected", NULL), 0);

	char path[512];
	snprintf(path, sizeof(path), "%s/state.db", test_tmpdir());
	struct store *ro = NULL;
	ASSERT_INT_EQ(store_open(path, true, &ro, NULL), 0);
	char *v = NULL;
	ASSERT_INT_EQ(store_meta_get(ro, "connection", &v, NULL), 0);
	ASSERT_STR_EQ(v, "disconnected");
	free(v);
	ASSERT_INT_EQ(store_meta_get(ro, "missing", &v, NULL), 0);
	ASSERT_TRUE(v == NULL);
	/* Read-only really is: a write fails. */
	ASSERT_TRUE(store_meta_set(ro, "x", "y", NULL) < 0);
	store_close(ro);
	store_close(s);
}

TEST(store_deferred_writes_are_seen_by_others_only_after_commit)
{
	struct store *s = open_store();
	ASSERT_TRUE(s);
	store_defer_commits(s);
	ASSERT_TRUE(!store_commit_pending(s));
	ASSERT_INT_EQ(store_task_add(s, "arn:t1", "{}", NULL), 1);
	uint64_t seq = 0;
	ASSERT_INT_EQ(append_state(s, "arn:t1", "PENDING", &seq), 0);
	ASSERT_TRUE(seq > 0);
	ASSERT_TRUE(store_commit_pending(s));
	/* A failed write inside the group is undone alone: the others stay. */
	ASSERT_INT_EQ(store_task_add(s, "arn:t1", "{}", NULL), 0);

	char path[512];
	snprintf(path, sizeof(path), "%s/state.db", test_tmpdir());
	struct store *ro = NULL;
	ASSERT_INT_EQ(store_open(path, true, &ro, NULL), 0);
	uint64_t n = 99;
	ASSERT_INT_EQ(store_outbox_count(ro, &n, NULL), 0);
	ASSERT_INT_EQ(n, 0);
	ASSERT_INT_EQ(store_commit(s, NULL), 0);
	ASSERT_TRUE(!store_commit_pending(s));
	ASSERT_INT_EQ(store_outbox_count(ro, &n, NULL), 0);
	ASSERT_INT_EQ(n, 1);
	ASSERT_INT_EQ(store_commit(s, NULL), 0); /* nothing pending: nothing to do */
	store_close(ro);
	store_close(s);
}

TEST(store_restart_record_survives_reopen_and_goes_with_its_task)
{
	struct store *s = open_store();
	ASSERT_TRUE(s);
	ASSERT_INT_EQ(store_task_add(s, "arn:t1", "{}", NULL), 1);
	struct store_restart rec = { 0 };
	ASSERT_INT_EQ(store_restart_get(s, "arn:t1", "app", &rec, NULL), 0);
	rec = (struct store_restart){ .count = 2, .last_restart_at = 1764201234.25,
				      .owed_after_monitor = 4343 };
	ASSERT_INT_EQ(store_restart_set(s, "arn:t1", "app", &rec, NULL), 0);
	rec.count = 3;
	rec.owed_after_monitor = 0;
	ASSERT_INT_EQ(store_restart_set(s, "arn:t1", "app", &rec, NULL), 0);
	store_close(s);
	s = open_store();
	ASSERT_TRUE(s);
	struct store_restart back = { 0 };
	ASSERT_INT_EQ(store_restart_get(s, "arn:t1", "app", &back, NULL), 1);
	ASSERT_INT_EQ(back.count, 3);
	ASSERT_TRUE(back.last_restart_at == 1764201234.25);
	ASSERT_INT_EQ(back.owed_after_monitor, 0);
	ASSERT_INT_EQ(store_restart_get(s, "arn:t1", "sidecar", &back, NULL), 0);
	/* Forgotten with its task once the hub acknowledged its STOPPED state. */
	uint64_t stopped;
	ASSERT_INT_EQ(append_state(s, "arn:t1", "STOPPED", &stopped), 0);
	char *arn = NULL;
	ASSERT_INT_EQ(store_outbox_ack_task(s, stopped, &arn, NULL), 0);
	free(arn);
	ASSERT_INT_EQ(store_restart_get(s, "arn:t1", "app", &back, NULL), 0);
	store_close(s);
}
