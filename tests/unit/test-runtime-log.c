/* The log drivers' logic: cutting output into lines, Docker's json-file encoding, rotation
 * and a full disk (the kernel's /dev/full), journald's native datagrams (a socket standing in
 * for journald), and the resolution of logConfiguration defaults. */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "common/cleanup.h"
#include "common/fileio.h"
#include "container/container_log.h"
#include "logs/log_journald.h"
#include "logs/log_json_file.h"
#include "logs/log_line.h"
#include "tests/unit/test.h"

struct collected {
	char lines[8][64];
	bool partial[8];
	size_t lens[8];
	int n;
};

static void collect(void *userdata, const char *line, size_t len, bool partial)
{
	struct collected *c = userdata;
	if (c->n >= 8)
		return;
	snprintf(c->lines[c->n], sizeof(c->lines[0]), "%.*s", (int)(len < 63 ? len : 63), line);
	c->lens[c->n] = len;
	c->partial[c->n++] = partial;
}

static void feed(struct log_line_buffer *b, const char *s)
{
	memcpy(b->data + b->len, s, strlen(s));
	b->len += strlen(s);
}

TEST(log_line_splits_and_keeps_unfinished)
{
	static struct log_line_buffer b;
	struct collected c = { 0 };
	b.len = 0;
	feed(&b, "one\ntwo\nthr");
	log_line_consume(&b, false, collect, &c);
	ASSERT_INT_EQ(c.n, 2);
	ASSERT_STR_EQ(c.lines[0], "one");
	ASSERT_STR_EQ(c.lines[1], "two");
	ASSERT_TRUE(!c.partial[1]);
	ASSERT_INT_EQ(b.len, 3);
	feed(&b, "ee\n\nend");
	log_line_consume(&b, false, collect, &c);
	ASSERT_INT_EQ(c.n, 4);
	ASSERT_STR_EQ(c.lines[2], "three");
	ASSERT_INT_EQ(c.lens[3], 0);
	log_line_consume(&b, true, collect, &c);
	ASSERT_INT_EQ(c.n, 5);
	ASSERT_STR_EQ(c.lines[4], "end");
	ASSERT_TRUE(c.partial[4]);
	ASSERT_INT_EQ(b.len, 0);
}

TEST(log_line_cuts_long_lines_at_16k)
{
	static struct log_line_buffer b;
	struct collected c = { 0 };
	b.len = 0;
	memset(b.data, 'x', LOG_LINE_MAX);
	b.len = LOG_LINE_MAX;
	log_line_consume(&b, false, collect, &c);
	ASSERT_INT_EQ(c.n, 1);
	ASSERT_INT_EQ(c.lens[0], LOG_LINE_MAX);
	ASSERT_TRUE(c.partial[0]);
	ASSERT_INT_EQ(b.len, 0);
}

static size_t encode(const char *line, size_t len, bool partial, enum log_stream s, long ns,
		     char *out)
{
	struct log_entry e = { .line = line, .len = len, .partial = partial, .stream = s,
			       .time = { .tv_sec = 1795750198, .tv_nsec = ns } };
	size_t n = log_json_encode(&e, out);
	out[n] = '\0';
	return n;
}

TEST(log_json_encode_docker_format)
{
	static char out[LOG_JSON_ENTRY_MAX + 1];
	encode("hello", 5, false, LOG_STDOUT, 123456789, out);
	ASSERT_STR_EQ(out, "{\"log\":\"hello\\n\",\"stream\":\"stdout\","
			   "\"time\":\"2026-11-27T03:29:58.123456789Z\"}\n");
	encode("cut", 3, true, LOG_STDERR, 500000000, out);
	ASSERT_STR_EQ(out, "{\"log\":\"cut\",\"stream\":\"stderr\","
			   "\"time\":\"2026-11-27T03:29:58.5Z\"}\n");
	encode("t", 1, true, LOG_STDOUT, 0, out);
	ASSERT_CONTAINS(out, "\"time\":\"2026-11-27T03:29:58Z\"");
}

TEST(log_json_encode_escapes_and_replaces_invalid_utf8)
{
	static char out[LOG_JSON_ENTRY_MAX + 1];
	static const char line[] = "q\"b\\t\tc\x01" "\xc3\xa9" "\xff" "\xe2\x82" "\x00z";
	encode(line, sizeof(line) - 1, true, LOG_STDOUT, 0, out);
	ASSERT_CONTAINS(out, "\"log\":\"q\\\"b\\\\t\\tc\\u0001\xc3\xa9\\ufffd\\ufffd\\ufffd\\u0000z\"");
	/* The worst case fits: every byte of a 16 KiB line escaped. */
	static char ctl[LOG_LINE_MAX];
	memset(ctl, 1, sizeof(ctl));
	size_t n = encode(ctl, sizeof(ctl), false, LOG_STDERR, 999999999, out);
	ASSERT_TRUE(n <= LOG_JSON_ENTRY_MAX);
}

static uint64_t file_size(const char *path)
{
	struct stat st;
	return stat(path, &st) == 0 ? (uint64_t)st.st_size : UINT64_MAX;
}

TEST(log_json_file_rotates_by_size)
{
	char path[PATH_MAX], name[PATH_MAX];
	snprintf(path, sizeof(path), "%s/container.log", test_tmpdir());
	struct log_json_file f;
	struct error err = { 0 };
	ASSERT_INT_EQ(log_json_file_open(&f, path, 4096, 3, &err), 0);
	char line[200];
	memset(line, 'a', sizeof(line));
	for (int i = 0; i < 200; i++) {
		snprintf(line, sizeof(line), "line-%d", i);
		struct log_entry e = { .line = line, .len = strlen(line) };
		ASSERT_INT_EQ(log_json_file_write(&f, &e), 0);
	}
	log_json_file_close(&f);
	uint64_t total = 0;
	for (unsigned i = 0; i < 3; i++) {
		if (i == 0)
			snprintf(name, sizeof(name), "%s", path);
		else
			log_json_file_rotated_name(name, sizeof(name), path, i);
		ASSERT_TRUE(file_size(name) <= 4096);
		total += file_size(name);
	}
	log_json_file_rotated_name(name, sizeof(name), path, 3);
	ASSERT_TRUE(access(name, F_OK) < 0);
	ASSERT_TRUE(total > 2 * 4096 - 200);
	_cleanup_free_ char *text = NULL;
	ASSERT_INT_EQ(read_file_full(path, 1 << 20, &text, NULL), 0);
	ASSERT_CONTAINS(text, "\"log\":\"line-199\\n\"");
	/* .1 holds the lines just before container.log's first. */
	_cleanup_free_ char *older = NULL;
	log_json_file_rotated_name(name, sizeof(name), path, 1);
	ASSERT_INT_EQ(read_file_full(name, 1 << 20, &older, NULL), 0);
	long first_current = strtol(strstr(text, "line-") + 5, NULL, 10), last_older = 0;
	for (const char *p = older; (p = strstr(p, "line-")); p += 5)
		last_older = strtol(p + 5, NULL, 10);
	ASSERT_INT_EQ(last_older + 1, first_current);
}

TEST(log_json_file_max_file_1_empties_the_file)
{
	char path[PATH_MAX];
	snprintf(path, sizeof(path), "%s/container.log", test_tmpdir());
	struct log_json_file f;
	ASSERT_INT_EQ(log_json_file_open(&f, path, 4096, 1, NULL), 0);
	static char line[3000];
	memset(line, 'b', sizeof(line));
	struct log_entry e = { .line = line, .len = sizeof(line) };
	ASSERT_INT_EQ(log_json_file_write(&f, &e), 0);
	ASSERT_INT_EQ(log_json_file_write(&f, &e), 0);
	log_json_file_close(&f);
	ASSERT_TRUE(file_size(path) < 4096);
	char name[PATH_MAX];
	log_json_file_rotated_name(name, sizeof(name), path, 1);
	ASSERT_TRUE(access(name, F_OK) < 0);
}

TEST(log_json_file_appends_after_restart)
{
	char path[PATH_MAX];
	snprintf(path, sizeof(path), "%s/container.log", test_tmpdir());
	struct log_entry e = { .line = "x", .len = 1 };
	for (int i = 0; i < 2; i++) {
		struct log_json_file f;
		ASSERT_INT_EQ(log_json_file_open(&f, path, 1 << 20, 3, NULL), 0);
		ASSERT_INT_EQ(f.size, file_size(path));
		ASSERT_INT_EQ(log_json_file_write(&f, &e), 0);
		log_json_file_close(&f);
	}
	_cleanup_free_ char *text = NULL;
	ASSERT_INT_EQ(read_file_full(path, 1 << 20, &text, NULL), 0);
	ASSERT_TRUE(strchr(text, '\n') != strrchr(text, '\n'));
}

TEST(log_json_file_full_disk_drops_and_counts)
{
	char path[PATH_MAX];
	snprintf(path, sizeof(path), "%s/container.log", test_tmpdir());
	ASSERT_INT_EQ(symlink("/dev/full", path), 0);
	struct log_json_file f;
	ASSERT_INT_EQ(log_json_file_open(&f, path, 1 << 20, 3, NULL), 0);
	struct log_entry e = { .line = "lost", .len = 4 };
	ASSERT_INT_EQ(log_json_file_write(&f, &e), -ENOSPC);
	ASSERT_INT_EQ(log_json_file_write(&f, &e), -ENOSPC);
	ASSERT_INT_EQ(f.dropped, 2);
	ASSERT_INT_EQ(f.first_error, ENOSPC);
	log_json_file_close(&f);
}

TEST(log_journald_sends_native_datagrams)
{
	char sock_path[PATH_MAX];
	snprintf(sock_path, sizeof(sock_path), "%s/journal.sock", test_tmpdir());
	_cleanup_close_ int server = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	struct sockaddr_un addr = { .sun_family = AF_UNIX };
	ASSERT_TRUE(strlen(sock_path) < sizeof(addr.sun_path));
	memcpy(addr.sun_path, sock_path, strlen(sock_path) + 1);
	ASSERT_INT_EQ(bind(server, (struct sockaddr *)&addr, sizeof(addr)), 0);
	struct log_journald j;
	struct error err = { 0 };
	ASSERT_INT_EQ(log_journald_open(&j, sock_path, "web", "arn:aws:ecs:r:1:task/c/abc123",
					"app", &err), 0);
	struct log_entry e = { .line = "a\nb", .len = 3, .stream = LOG_STDERR, .partial = true };
	ASSERT_INT_EQ(log_journald_write(&j, &e), 0);
	log_journald_close(&j);
	char buf[4096];
	ssize_t n = recv(server, buf, sizeof(buf) - 1, 0);
	ASSERT_TRUE(n > 0);
	buf[n] = '\0';
	ASSERT_CONTAINS(buf, "SYSLOG_IDENTIFIER=web\n");
	ASSERT_CONTAINS(buf, "TETHER_TASK_ARN=arn:aws:ecs:r:1:task/c/abc123\n");
	ASSERT_CONTAINS(buf, "TETHER_TASK_ID=abc123\n");
	ASSERT_CONTAINS(buf, "TETHER_CONTAINER_NAME=app\n");
	ASSERT_CONTAINS(buf, "PRIORITY=3\n");
	ASSERT_CONTAINS(buf, "TETHER_PARTIAL_MESSAGE=true\n");
	/* MESSAGE in the binary form: its length as 64-bit little endian, then the bytes. */
	static const char message[] = "MESSAGE\n\x03\0\0\0\0\0\0\0a\nb\n";
	ASSERT_TRUE(n >= (ssize_t)sizeof(message) - 1);
	ASSERT_TRUE(memcmp(buf + n - (sizeof(message) - 1), message, sizeof(message) - 1) == 0);
}

TEST(log_journald_without_journal_is_an_error)
{
	struct log_journald j;
	struct error err = { 0 };
	char path[PATH_MAX];
	snprintf(path, sizeof(path), "%s/none.sock", test_tmpdir());
	ASSERT_TRUE(log_journald_open(&j, path, "t", "arn", "c", &err) < 0);
	ASSERT_CONTAINS(err.message, "connect to the journal");
}

TEST(container_log_defaults)
{
	struct taskdef_log none = { 0 };
	struct container_log log;
	ASSERT_INT_EQ(container_log_resolve(&none, "app", "arn:x/t1", false, &log), 0);
	ASSERT_TRUE(log.driver == &log_driver_json_file);
	ASSERT_INT_EQ(log.options.max_size, 10 * 1024 * 1024);
	ASSERT_INT_EQ(log.options.max_file, 3);
	ASSERT_STR_EQ(log.options.tag, "app");
	container_log_release(&log);
	ASSERT_INT_EQ(container_log_resolve(&none, "app", "arn:x/t1", true, &log), 0);
	ASSERT_TRUE(log.driver == &log_driver_journald);
	container_log_release(&log);
	/* max-size alone keeps one file, as Docker; max-file alone uses the default size. */
	struct taskdef_log size_only = { .driver = &log_driver_json_file, .options.max_size = 1 << 20 };
	ASSERT_INT_EQ(container_log_resolve(&size_only, "app", "arn", true, &log), 0);
	ASSERT_TRUE(log.driver == &log_driver_json_file);
	ASSERT_INT_EQ(log.options.max_file, 1);
	container_log_release(&log);
	struct taskdef_log files_only = { .driver = &log_driver_json_file, .options.max_file = 5 };
	ASSERT_INT_EQ(container_log_resolve(&files_only, "app", "arn", true, &log), 0);
	ASSERT_INT_EQ(log.options.max_size, 10 * 1024 * 1024);
	ASSERT_INT_EQ(log.options.max_file, 5);
	container_log_release(&log);
	struct taskdef_log tagged = { .driver = &log_driver_journald, .options.tag = (char *)"svc" };
	ASSERT_INT_EQ(container_log_resolve(&tagged, "app", "arn", false, &log), 0);
	ASSERT_TRUE(log.driver == &log_driver_journald);
	ASSERT_STR_EQ(log.options.tag, "svc");
	cJSON *j = container_log_to_json(&log);
	struct container_log back;
	ASSERT_INT_EQ(container_log_from_json(j, &back), 0);
	cJSON_Delete(j);
	ASSERT_STR_EQ(back.options.tag, "svc");
	ASSERT_STR_EQ(back.task_arn, "arn");
	ASSERT_INT_EQ(back.options.max_size, log.options.max_size);
	container_log_release(&back);
	container_log_release(&log);
}
