/* The hub store's statement cache, placement of a batch of tasks in one pass, the index that
 * keeps placement off stopped tasks, and the retention of stopped tasks. */
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "hub/store/store.h"
#include "hub/tasks/scheduler.h"
#include "hub/tasks/task_retention.h"
#include "hub/tasks/task_store.h"
#include "tests/unit/test.h"

#define COUNT_SQL "SELECT count(*) FROM nodes WHERE cluster = ?"

static void add_node(struct hub_store *s, const char *id, long long cpu, long long memory,
		     int connected)
{
	sqlite3_stmt *st = hub_store_prepare(
		s, "INSERT INTO nodes(node_id, instance_id, cluster, public_key, cpu, memory,"
		   " attributes, registered_at, connected) VALUES(?1, ?1, 'default', 'k', ?2, ?3,"
		   " '{}', 0, ?4)", NULL);
	sqlite3_bind_text(st, 1, id, -1, SQLITE_TRANSIENT);
	sqlite3_bind_int64(st, 2, cpu);
	sqlite3_bind_int64(st, 3, memory);
	sqlite3_bind_int(st, 4, connected);
	hub_store_step_done(s, st, NULL);
}

static void reserve(struct hub_store *s, const char *node_id, long long cpu, long long memory)
{
	static int n;
	char id[32];
	snprintf(id, sizeof(id), "t%d", ++n);
	sqlite3_stmt *st = hub_store_prepare(
		s, "INSERT INTO tasks(id, cluster, family, revision, node_id, cpu, memory, last_status,"
		   " desired_status, created_at) VALUES(?, 'default', 'f', 1, ?, ?, ?, 'RUNNING',"
		   " 'RUNNING', 0)", NULL);
	sqlite3_bind_text(st, 1, id, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(st, 2, node_id, -1, SQLITE_TRANSIENT);
	sqlite3_bind_int64(st, 3, cpu);
	sqlite3_bind_int64(st, 4, memory);
	hub_store_step_done(s, st, NULL);
}

static long long count_nodes(sqlite3_stmt *st, const char *cluster)
{
	sqlite3_bind_text(st, 1, cluster, -1, SQLITE_STATIC);
	return sqlite3_step(st) == SQLITE_ROW ? sqlite3_column_int64(st, 0) : -1;
}

TEST(hub_store_hands_the_same_statement_out_again_reset)
{
	struct hub_store *s = NULL;
	ASSERT_INT_EQ(hub_store_open(":memory:", &s, NULL), 0);
	add_node(s, "mi-1", 1024, 512, 1);
	sqlite3_stmt *first = hub_store_prepare(s, COUNT_SQL, NULL);
	ASSERT_TRUE(first);
	ASSERT_INT_EQ(count_nodes(first, "default"), 1);
	stmt_release(first);
	sqlite3_stmt *again = hub_store_prepare(s, COUNT_SQL, NULL);
	ASSERT_TRUE(again == first);
	/* Reset and unbound: a NULL cluster matches nothing. */
	ASSERT_INT_EQ(sqlite3_step(again), SQLITE_ROW);
	ASSERT_INT_EQ(sqlite3_column_int64(again, 0), 0);
	stmt_release(again);
	hub_store_close(s);
}

TEST(hub_store_nested_use_of_one_statement_gets_its_own)
{
	struct hub_store *s = NULL;
	ASSERT_INT_EQ(hub_store_open(":memory:", &s, NULL), 0);
	add_node(s, "mi-1", 1024, 512, 1);
	sqlite3_stmt *outer = hub_store_prepare(s, COUNT_SQL, NULL);
	ASSERT_INT_EQ(count_nodes(outer, "default"), 1);
	sqlite3_stmt *inner = hub_store_prepare(s, COUNT_SQL, NULL);
	ASSERT_TRUE(inner && inner != outer);
	ASSERT_INT_EQ(count_nodes(inner, "other"), 0);
	/* The outer one still holds its row. */
	ASSERT_INT_EQ(sqlite3_column_int64(outer, 0), 1);
	stmt_release(inner); /* finalized: a leak would fail under ASan */
	stmt_release(outer);
	ASSERT_TRUE(hub_store_prepare(s, COUNT_SQL, NULL) == outer);
	stmt_release(outer);
	/* A statement still out when the store closes is finalized with it. */
	ASSERT_TRUE(hub_store_prepare(s, COUNT_SQL, NULL) == outer);
	hub_store_close(s);
}

TEST(hub_scheduler_batch_places_as_one_by_one)
{
	struct hub_store *batch = NULL, *single = NULL;
	ASSERT_INT_EQ(hub_store_open(":memory:", &batch, NULL), 0);
	ASSERT_INT_EQ(hub_store_open(":memory:", &single, NULL), 0);
	struct hub_store *both[] = { batch, single };
	for (int i = 0; i < 2; i++) {
		struct hub_store *s = both[i];
		/* Ties, a node short of CPU, one disconnected with the most memory. */
		add_node(s, "mi-a", 4096, 1000, 1);
		add_node(s, "mi-b", 4096, 1000, 1);
		add_node(s, "mi-c", 100, 3000, 1);
		add_node(s, "mi-d", 4096, 700, 1);
		add_node(s, "mi-e", 4096, 9000, 0);
		add_node(s, "mi-f", 4096, 400, 1);
		reserve(s, "mi-d", 0, 100);
	}
	char nodes[SCHEDULER_BATCH_MAX][64];
	ASSERT_INT_EQ(scheduler_place_batch(batch, "default", 200, 300, 10, nodes, NULL), 9);
	for (int i = 0; i < 10; i++) {
		char node[64];
		const char *reason = NULL;
		int r = scheduler_place(single, "default", 200, 300, node, &reason, NULL);
		if (i < 9) {
			ASSERT_INT_EQ(r, 0);
			ASSERT_STR_EQ(nodes[i], node);
			reserve(single, node, 200, 300);
		} else {
			ASSERT_INT_EQ(r, 1);
			ASSERT_STR_EQ(reason, "RESOURCE:MEMORY");
		}
	}
	hub_store_close(batch);
	hub_store_close(single);
}

static void add_task(struct hub_store *s, const char *id, const char *status, double stopped_at)
{
	sqlite3_stmt *st = hub_store_prepare(
		s, "INSERT INTO tasks(id, cluster, family, revision, node_id, cpu, memory, last_status,"
		   " desired_status, created_at, stopped_at) VALUES(?1, 'default', 'f', 1, 'mi-a', 1, 1,"
		   " ?2, ?2, 0, ?3)", NULL);
	sqlite3_bind_text(st, 1, id, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(st, 2, status, -1, SQLITE_TRANSIENT);
	if (stopped_at > 0)
		sqlite3_bind_double(st, 3, stopped_at);
	hub_store_step_done(s, st, NULL);
	hub_store_exec_text(s, "INSERT INTO containers(task_id, idx, name, image, last_status)"
			    " VALUES(?, 0, 'main', 'i', 'STOPPED')", NULL, 1, id);
	hub_store_exec_text(s, "INSERT INTO outbox(node_id, seq, task_id, kind, frame)"
			    " VALUES('mi-a', (SELECT count(*) FROM outbox) + 1, ?, 'stop', '{}')",
			    NULL, 1, id);
}

static long long count_of(struct hub_store *s, const char *sql)
{
	_cleanup_stmt_ sqlite3_stmt *st = hub_store_prepare(s, sql, NULL);
	return st && sqlite3_step(st) == SQLITE_ROW ? sqlite3_column_int64(st, 0) : -1;
}

TEST(hub_retention_forgets_only_tasks_stopped_long_ago)
{
	struct hub_store *s = NULL;
	ASSERT_INT_EQ(hub_store_open(":memory:", &s, NULL), 0);
	add_task(s, "old", "STOPPED", 1000);
	add_task(s, "recent", "STOPPED", 4000);
	add_task(s, "running", "RUNNING", 0);
	add_task(s, "no-time", "STOPPED", 0);
	ASSERT_INT_EQ(task_retention_sweep(s, 5000, 3600, NULL), 1);
	ASSERT_INT_EQ(count_of(s, "SELECT count(*) FROM tasks WHERE id = 'old'"), 0);
	ASSERT_INT_EQ(count_of(s, "SELECT count(*) FROM containers WHERE task_id = 'old'"), 0);
	ASSERT_INT_EQ(count_of(s, "SELECT count(*) FROM outbox WHERE task_id = 'old'"), 0);
	ASSERT_INT_EQ(count_of(s, "SELECT count(*) FROM tasks"), 3);
	ASSERT_INT_EQ(count_of(s, "SELECT count(*) FROM containers"), 3);
	ASSERT_INT_EQ(count_of(s, "SELECT count(*) FROM outbox"), 3);
	/* Nothing more is old enough: a second sweep forgets nothing. */
	ASSERT_INT_EQ(task_retention_sweep(s, 5000, 3600, NULL), 0);
	ASSERT_INT_EQ(task_retention_sweep(s, 8000, 3600, NULL), 1);
	ASSERT_INT_EQ(count_of(s, "SELECT count(*) FROM tasks"), 2);
	hub_store_close(s);
}

TEST(hub_placement_reads_only_tasks_not_stopped)
{
	struct hub_store *s = NULL;
	ASSERT_INT_EQ(hub_store_open(":memory:", &s, NULL), 0);
	sqlite3_stmt *st = hub_store_prepare(
		s, "EXPLAIN QUERY PLAN SELECT node_id, sum(cpu), sum(memory) FROM tasks"
		   " WHERE last_status != 'STOPPED' GROUP BY node_id", NULL);
	ASSERT_TRUE(st != NULL);
	bool uses_index = false;
	while (sqlite3_step(st) == SQLITE_ROW)
		uses_index = uses_index || strstr((const char *)sqlite3_column_text(st, 3), "tasks_active");
	stmt_release(st);
	ASSERT_TRUE(uses_index);
	hub_store_close(s);
}

struct wakes {
	int count;
	char last[64];
	bool in_transaction; /* the store was inside a transaction when it told */
	struct hub_store *store;
};

static void on_wake(void *data, const char *node_id)
{
	struct wakes *w = data;
	w->count++;
	snprintf(w->last, sizeof(w->last), "%s", node_id);
	w->in_transaction = !sqlite3_get_autocommit(w->store->db);
}

/* A link woken from inside the transaction that queued its frame would read the queue
 * before the frame is committed (and a rolled back one never is). */
TEST(hub_store_wakes_a_node_only_after_commit)
{
	struct hub_store *s = NULL;
	ASSERT_INT_EQ(hub_store_open(":memory:", &s, NULL), 0);
	struct wakes w = { .store = s };
	s->on_frame_queued = on_wake;
	s->on_frame_queued_userdata = &w;
	add_node(s, "mi-a", 1024, 1024, 1);

	ASSERT_INT_EQ(hub_store_begin(s, NULL), 0);
	ASSERT_INT_EQ(task_store_queue_frame(s, "mi-a", 1, "t1", "stop", "{}", NULL), 0);
	ASSERT_INT_EQ(task_store_queue_frame(s, "mi-a", 2, "t2", "stop", "{}", NULL), 0);
	ASSERT_INT_EQ(w.count, 0);
	ASSERT_INT_EQ(hub_store_commit(s, NULL), 0);
	ASSERT_INT_EQ(w.count, 1); /* once per node and commit */
	ASSERT_STR_EQ(w.last, "mi-a");
	ASSERT_TRUE(!w.in_transaction);

	ASSERT_INT_EQ(hub_store_begin(s, NULL), 0);
	ASSERT_INT_EQ(task_store_queue_frame(s, "mi-a", 3, "t3", "stop", "{}", NULL), 0);
	hub_store_rollback(s);
	ASSERT_INT_EQ(hub_store_begin(s, NULL), 0);
	ASSERT_INT_EQ(hub_store_commit(s, NULL), 0);
	ASSERT_INT_EQ(w.count, 1); /* the rolled back frame woke nobody, then or later */
	hub_store_close(s);
}
