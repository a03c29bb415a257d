/* The agent's state database when storage fails: a damaged or emptied file is refused at start
 * with the file and the fix, a crash's half-written WAL is not damage, a full file system fails
 * writes with -ENOSPC naming the file while the task state changes wait in the backlog and go
 * to the outbox in order once there is room again, and a read-only state dir is refused. The
 * file systems are tmpfs mounts in a child with a mount namespace of its own: nothing of the
 * host's mounts changes. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>

#include "agent/daemon/state_open.h"
#include "agent/health/self_checks.h"
#include "agent/host/state_dir_fs.h"
#include "agent/link/frame_handler.h"
#include "agent/state/state_backlog.h"
#include "agent/state/store.h"
#include "common/fileio.h"
#include "tests/unit/test.h"

static void path_in(char *buf, size_t size, const char *dir, const char *name)
{
	snprintf(buf, size, "%s/%s", dir, name);
}

static int append_raw(const char *path, const void *data, size_t size)
{
	int fd = open(path, O_WRONLY | O_APPEND | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	ssize_t n = write(fd, data, size);
	close(fd);
	return n == (ssize_t)size ? 0 : -EIO;
}

static int copy_file(const char *from, const char *to)
{
	char *data = NULL;
	size_t size = 0;
	int r = read_file_full(from, 64 << 20, &data, &size);
	if (r >= 0)
		r = write_file_atomic(to, data, size, 0600);
	free(data);
	return r;
}

/* A store with one task and one state change committed, closed (checkpointed). */
static void make_store(const char *path)
{
	struct store *s = NULL;
	ASSERT_INT_EQ(store_open(path, false, &s, NULL), 0);
	ASSERT_INT_EQ(store_task_add(s, "arn:t1", "{}", NULL), 1);
	store_close(s);
}

TEST(garbage_state_db_is_refused_naming_file_and_fix_and_left_as_it_was)
{
	char path[600];
	path_in(path, sizeof(path), test_tmpdir(), "state.db");
	static const char garbage[] = "this is not a SQLite database, it was overwritten\n";
	ASSERT_INT_EQ(write_file_atomic(path, garbage, sizeof(garbage), 0600), 0);
	struct store *s = NULL;
	struct error err = { 0 };
	ASSERT_INT_EQ(store_open(path, false, &s, &err), -EUCLEAN);
	ASSERT_CONTAINS(err.message, path);
	ASSERT_CONTAINS(err.message, "the database is damaged (");
	ASSERT_CONTAINS(err.message, ".recover");
	ASSERT_CONTAINS(err.message, "containers it started run on");
	char *after = NULL;
	ASSERT_INT_EQ(read_file_full(path, 4096, &after, NULL), 0);
	ASSERT_STR_EQ(after, garbage);
	free(after);
}

TEST(truncated_state_db_is_refused)
{
	char path[600];
	path_in(path, sizeof(path), test_tmpdir(), "state.db");
	make_store(path);
	struct stat st;
	ASSERT_INT_EQ(stat(path, &st), 0);
	ASSERT_TRUE(st.st_size >= 3 * 4096);
	/* Its last pages gone: the tables' pages it points to are missing. */
	ASSERT_INT_EQ(truncate(path, st.st_size / 2), 0);
	struct error err = { 0 };
	struct store *s = NULL;
	ASSERT_INT_EQ(store_open(path, false, &s, &err), -EUCLEAN);
	ASSERT_CONTAINS(err.message, path);
	ASSERT_CONTAINS(err.message, "the database is damaged (");
}

TEST(emptied_state_db_beside_task_folders_is_refused_but_a_new_one_opens)
{
	const char *dir = test_tmpdir();
	char path[600], tasks[600];
	path_in(path, sizeof(path), dir, "state.db");
	ASSERT_INT_EQ(write_file_atomic(path, "", 0, 0600), 0);
	struct store *s = NULL;
	struct error err = { 0 };
	/* No task ever ran here: a crash between creation and the first commit. */
	ASSERT_INT_EQ(daemon_open_store(dir, &s, &err), 0);
	store_close(s);
	ASSERT_INT_EQ(truncate(path, 0), 0);
	path_in(tasks, sizeof(tasks), dir, "tasks/0123456789abcdef");
	ASSERT_INT_EQ(mkdir_parents(tasks, 0700), 0);
	s = NULL;
	ASSERT_INT_EQ(daemon_open_store(dir, &s, &err), -EUCLEAN);
	ASSERT_TRUE(s == NULL);
	ASSERT_CONTAINS(err.message, "Refusing to start: ");
	ASSERT_CONTAINS(err.message, path);
	ASSERT_CONTAINS(err.message, "is empty, but");
	ASSERT_CONTAINS(err.message, "put the file back from a backup, or remove it");
}

/* What kill -9 leaves: the WAL holds committed transactions not yet in the main file, and the
 * frames of one cut short. SQLite replays the first and ignores the rest: not damage. */
TEST(half_written_wal_after_a_crash_is_recovered_not_refused)
{
	const char *dir = test_tmpdir();
	char path[600], wal[620], copy_dir[600], copy[620], copy_wal[640];
	path_in(path, sizeof(path), dir, "state.db");
	snprintf(wal, sizeof(wal), "%s-wal", path);
	path_in(copy_dir, sizeof(copy_dir), dir, "crashed");
	ASSERT_INT_EQ(mkdir(copy_dir, 0700), 0);
	path_in(copy, sizeof(copy), copy_dir, "state.db");
	snprintf(copy_wal, sizeof(copy_wal), "%s-wal", copy);

	struct store *s = NULL;
	ASSERT_INT_EQ(store_open(path, false, &s, NULL), 0);
	ASSERT_INT_EQ(store_task_add(s, "arn:t1", "{}", NULL), 1);
	ASSERT_INT_EQ(store_task_add(s, "arn:t2", "{}", NULL), 1);
	/* The files as they are on disk while the daemon runs. */
	ASSERT_INT_EQ(copy_file(path, copy), 0);
	ASSERT_INT_EQ(copy_file(wal, copy_wal), 0);
	store_close(s);
	struct stat st;
	ASSERT_INT_EQ(stat(copy_wal, &st), 0);
	ASSERT_TRUE(st.st_size > 0);
	/* Half a frame of a transaction cut short. */
	static char torn[2500];
	memset(torn, 0x5a, sizeof(torn));
	ASSERT_INT_EQ(append_raw(copy_wal, torn, sizeof(torn)), 0);

	struct error err = { 0 };
	s = NULL;
	ASSERT_INT_EQ(store_open(copy, false, &s, &err), 0);
	/* Both committed assignments are there: a redelivery is known. */
	ASSERT_INT_EQ(store_task_add(s, "arn:t1", "{}", NULL), 0);
	ASSERT_INT_EQ(store_task_add(s, "arn:t2", "{}", NULL), 0);
	store_close(s);
}

static void fill(const char *path)
{
	FILE *f = fopen(path, "we");
	static char block[4096];
	while (f && fwrite(block, 1, sizeof(block), f) == sizeof(block))
		;
	if (f)
		fclose(f);
}

static int sent_count;
static unsigned long long sent_seqs[4];
static char sent_status[4][16];

static void note_sent(void *userdata, const char *task_arn, const char *status,
		      const char *text)
{
	(void)userdata;
	(void)task_arn;
	cJSON *j = cJSON_Parse(text);
	const cJSON *seq = cJSON_GetObjectItem(j, "seq");
	if (sent_count < 4) {
		sent_seqs[sent_count] = cJSON_IsNumber(seq) ? (unsigned long long)seq->valuedouble : 0;
		snprintf(sent_status[sent_count], 16, "%s", status);
	}
	sent_count++;
	cJSON_Delete(j);
}

static cJSON *state_frame(const char *arn, const char *status)
{
	cJSON *f = cJSON_CreateObject();
	cJSON_AddStringToObject(f, "type", "task_state");
	cJSON_AddStringToObject(f, "task_arn", arn);
	cJSON_AddStringToObject(f, "status", status);
	return f;
}

static void full_disk(const char *dir)
{
	char path[600], filler[600];
	path_in(path, sizeof(path), dir, "state.db");
	path_in(filler, sizeof(filler), dir, "filler");
	struct store *s = NULL;
	ASSERT_TRUE(store_open(path, false, &s, NULL) == 0);
	ASSERT_TRUE(store_task_add(s, "arn:t1", "{}", NULL) == 1);
	store_defer_commits(s);
	fill(filler);

	/* Changes wait in the backlog while the outbox cannot take them. */
	struct state_backlog b;
	state_backlog_init(&b);
	ASSERT_TRUE(state_backlog_push(&b, "arn:t1", "RUNNING", state_frame("arn:t1", "RUNNING")) == 0);
	ASSERT_TRUE(state_backlog_push(&b, "arn:t1", "STOPPED", state_frame("arn:t1", "STOPPED")) == 0);
	struct error err = { 0 };
	int failures = 0;
	for (int attempt = 0; attempt < 3; attempt++) {
		int r = state_backlog_append(&b, s, &err);
		if (r >= 0)
			r = store_commit(s, &err);
		else
			(void)store_commit(s, NULL);
		if (r < 0) {
			failures++;
			ASSERT_TRUE(r == -ENOSPC);
			ASSERT_TRUE(strstr(err.message, path) != NULL);
			ASSERT_TRUE(strstr(err.message, "database or disk is full") != NULL);
			state_backlog_rolled_back(&b);
		}
	}
	ASSERT_TRUE(failures == 3);
	ASSERT_TRUE(state_backlog_count(&b) == 2);
	/* An assignment stored in a turn that fails is not on disk either. */
	int added = store_task_add(s, "arn:t2", "{}", NULL);
	ASSERT_TRUE(added == 1 || added == -ENOSPC);
	ASSERT_TRUE(store_commit(s, &err) == -ENOSPC);
	uint64_t n = 99;
	ASSERT_TRUE(store_outbox_count(s, &n, NULL) == 0 && n == 0);

	/* The node's health says so, naming the file and the fix. */
	struct self_check_context c = { .state_dir = dir, .store = s };
	struct health_check_result round[HEALTH_CHECK_COUNT];
	self_checks_run(&c, false, round);
	ASSERT_TRUE(!round[HEALTH_STATE_STORE].ok);
	ASSERT_TRUE(strstr(round[HEALTH_STATE_STORE].reason, path) != NULL);
	ASSERT_TRUE(strstr(round[HEALTH_STATE_STORE].reason, "is full; free space on it") != NULL);

	/* Room again: both go, in order, with increasing seqs. */
	ASSERT_TRUE(unlink(filler) == 0);
	ASSERT_TRUE(state_backlog_append(&b, s, &err) == 0);
	ASSERT_TRUE(store_commit(s, &err) == 0);
	state_backlog_committed(&b, note_sent, NULL);
	ASSERT_TRUE(sent_count == 2 && state_backlog_count(&b) == 0);
	ASSERT_TRUE(!strcmp(sent_status[0], "RUNNING") && !strcmp(sent_status[1], "STOPPED"));
	ASSERT_TRUE(sent_seqs[0] > 0 && sent_seqs[1] == sent_seqs[0] + 1);
	ASSERT_TRUE(store_outbox_count(s, &n, NULL) == 0 && n == 2);
	self_checks_run(&c, false, round);
	ASSERT_TRUE(round[HEALTH_STATE_STORE].ok);
	/* The assignment of the failed turn is not there: the hub, not acked, sends it again. */
	ASSERT_TRUE(store_task_add(s, "arn:t2", "{}", NULL) == 1);
	ASSERT_TRUE(store_commit(s, NULL) == 0);
	state_backlog_release(&b);
	store_close(s);

	/* A read-only state dir is refused at start, naming it and the fix. */
	ASSERT_TRUE(mount(NULL, dir, NULL, MS_REMOUNT | MS_RDONLY, NULL) == 0);
	ASSERT_TRUE(state_dir_refuse_read_only(dir, &err) == -EROFS);
	ASSERT_TRUE(strstr(err.message, dir) != NULL);
	ASSERT_TRUE(strstr(err.message, "mount -o remount,rw") != NULL);
}

TEST(full_file_system_keeps_state_changes_until_room_returns)
{
	char dir[512];
	snprintf(dir, sizeof(dir), "%s/small", test_tmpdir());
	ASSERT_INT_EQ(mkdir(dir, 0700), 0);
	ASSERT_INT_EQ(state_dir_refuse_read_only(dir, NULL), 0);
	test_in_private_tmpfs(dir, "size=1m", full_disk);
}

/* An assignment the database does not take: no ack (the hub sends it again after a welcome),
 * no start, and the daemon is told so that it reconnects to get that welcome. */
struct unstored {
	int sent, starts, not_stored;
};

static char *unstored_hello(void *userdata, const char *nonce, struct error *err)
{
	(void)userdata;
	(void)nonce;
	(void)err;
	return strdup("{\"type\":\"hello\"}");
}

static void unstored_send(void *userdata, const char *text)
{
	(void)text;
	((struct unstored *)userdata)->sent++;
}

static void unstored_welcome(void *userdata, const cJSON *welcome)
{
	(void)userdata;
	(void)welcome;
}

static int unstored_start(void *userdata, const char *arn, const cJSON *def, struct error *err)
{
	(void)arn;
	(void)def;
	(void)err;
	((struct unstored *)userdata)->starts++;
	return 0;
}

static int unstored_stop(void *userdata, const char *arn, const char *reason)
{
	(void)userdata;
	(void)arn;
	(void)reason;
	return 0;
}

static void unstored_noted(void *userdata)
{
	((struct unstored *)userdata)->not_stored++;
}

static const struct frame_handler_ops unstored_ops = {
	.make_hello = unstored_hello,
	.send = unstored_send,
	.on_welcome = unstored_welcome,
	.start_task = unstored_start,
	.stop_task = unstored_stop,
	.assignment_not_stored = unstored_noted,
};

static void feed(struct frame_handler *h, const char *text)
{
	frame_handler_receive(h, text, strlen(text));
}

TEST(assignment_not_stored_is_neither_acked_nor_started)
{
	char path[600];
	path_in(path, sizeof(path), test_tmpdir(), "state.db");
	make_store(path);
	struct store *ro = NULL;
	ASSERT_INT_EQ(store_open(path, true, &ro, NULL), 0);
	struct unstored u = { 0 };
	struct frame_handler h = { .store = ro, .ops = &unstored_ops, .userdata = &u };
	frame_handler_reset(&h);
	feed(&h, "{\"type\":\"challenge\",\"nonce\":\"n\",\"protocol_major\":1}");
	feed(&h, "{\"type\":\"welcome\",\"container_instance_arn\":\"x\",\"heartbeat_seconds\":20}");
	ASSERT_TRUE(frame_handler_ready(&h));
	int sent = u.sent;
	feed(&h, "{\"type\":\"task_assign\",\"seq\":4,\"task_arn\":\"arn:t9\","
		 "\"task_definition\":{\"family\":\"web\"}}");
	ASSERT_INT_EQ(u.sent, sent);
	ASSERT_INT_EQ(u.starts, 0);
	ASSERT_INT_EQ(u.not_stored, 1);
	store_close(ro);
}
