/* `tether logs` for the json-file driver. Following keeps the current file open, so a file
 * rotated while it is being read is still read to its end; then the reader continues with the
 * file that came after it, found by inode among container.log.N. Lines are lost only when the
 * writer rotated a whole file away before the reader reached it (a reader more than max-file
 * files behind), as with Docker's json-file follow. */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/inotify.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <cjson/cJSON.h>

#include "agent/logs/log_read.h"
#include "common/cleanup.h"
#include "container/state_folder.h"
#include "logs/log_json_file.h"
#include "runtime/container_start.h"

#define ENTRY_MAX LOG_JSON_ENTRY_MAX

struct tail_ring {
	char **lines;    /* raw JSON entries */
	uint64_t size, count, next;
};

struct reader {
	char path[PATH_MAX];       /* container.log */
	int fd;                    /* the file being read */
	ino_t ino;
	char *carry;               /* an entry read only in part */
	size_t carry_len;
	struct tail_ring *ring;    /* while printing the existing lines with --tail */
};

static void print_entry(const char *json, size_t len)
{
	cJSON *o = cJSON_ParseWithLength(json, len);
	const cJSON *log = cJSON_GetObjectItemCaseSensitive(o, "log");
	const cJSON *stream = cJSON_GetObjectItemCaseSensitive(o, "stream");
	if (cJSON_IsString(log)) {
		bool err = cJSON_IsString(stream) && !strcmp(stream->valuestring, "stderr");
		log_read_print(err, log->valuestring, strlen(log->valuestring), false);
	}
	cJSON_Delete(o);
}

static void take_entry(struct reader *r, const char *json, size_t len)
{
	struct tail_ring *t = r->ring;
	if (!t) {
		print_entry(json, len);
		return;
	}
	if (t->size == 0)
		return;
	char *copy = strndup(json, len);
	if (!copy)
		return;
	free(t->lines[t->next]);
	t->lines[t->next] = copy;
	t->next = (t->next + 1) % t->size;
	if (t->count < t->size)
		t->count++;
}

/* Read fd to its end, handing over every complete entry. */
static void read_to_end(struct reader *r)
{
	char buf[64 * 1024];
	for (;;) {
		ssize_t n = read(r->fd, buf, sizeof(buf));
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		size_t start = 0;
		for (size_t i = 0; i < (size_t)n; i++) {
			if (buf[i] != '\n')
				continue;
			if (r->carry_len) {
				size_t add = i - start;
				if (r->carry_len + add <= ENTRY_MAX) {
					memcpy(r->carry + r->carry_len, buf + start, add);
					take_entry(r, r->carry, r->carry_len + add);
				}
				r->carry_len = 0;
			} else {
				take_entry(r, buf + start, i - start);
			}
			start = i + 1;
		}
		size_t rest = (size_t)n - start;
		if (rest && r->carry_len + rest <= ENTRY_MAX) {
			memcpy(r->carry + r->carry_len, buf + start, rest);
			r->carry_len += rest;
		}
	}
	fflush(stdout);
	fflush(stderr);
}

static int open_file(struct reader *r, const char *name)
{
	int fd = open(name, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	struct stat st;
	if (fstat(fd, &st) < 0) {
		close(fd);
		return -errno;
	}
	if (r->fd >= 0)
		close(r->fd);
	r->fd = fd;
	r->ino = st.st_ino;
	r->carry_len = 0;
	return 0;
}

static void rotated_name(char *buf, const struct reader *r, unsigned n)
{
	if (n == 0)
		snprintf(buf, PATH_MAX, "%s", r->path);
	else
		log_json_file_rotated_name(buf, PATH_MAX, r->path, n);
}

/* The index of the oldest file present (0: only container.log, -1: none). */
static int oldest_index(const struct reader *r)
{
	int oldest = -1;
	for (unsigned n = 0; n < LOG_MAX_FILES; n++) {
		char name[PATH_MAX];
		rotated_name(name, r, n);
		if (access(name, F_OK) == 0)
			oldest = (int)n;
	}
	return oldest;
}

/* After the file being read was rotated: open the file written after it. */
static int open_successor(struct reader *r)
{
	for (int attempt = 0; attempt < 20; attempt++) {
		for (unsigned n = 1; n < LOG_MAX_FILES; n++) {
			char name[PATH_MAX];
			struct stat st;
			rotated_name(name, r, n);
			if (stat(name, &st) < 0 || st.st_ino != r->ino)
				continue;
			rotated_name(name, r, n - 1);
			if (open_file(r, name) == 0)
				return 0;
			break;
		}
		/* Mid-rotation the names are shifting: look again shortly. */
		nanosleep(&(struct timespec){ .tv_nsec = 10 * 1000 * 1000 }, NULL);
	}
	/* The file is gone: the reader fell more than max-file files behind. */
	int oldest = oldest_index(r);
	if (oldest < 0)
		return -ENOENT;
	char name[PATH_MAX];
	rotated_name(name, r, (unsigned)oldest);
	return open_file(r, name);
}

/* Has container.log been replaced (rotated) or emptied (max-file 1) since we opened it? */
static bool rotated(struct reader *r)
{
	struct stat st, cur;
	if (fstat(r->fd, &cur) == 0 && cur.st_size < lseek(r->fd, 0, SEEK_CUR)) {
		lseek(r->fd, 0, SEEK_SET);
		r->carry_len = 0;
		return false;
	}
	return stat(r->path, &st) == 0 && st.st_ino != r->ino;
}

static void print_ring(struct reader *r)
{
	struct tail_ring *t = r->ring;
	r->ring = NULL;
	for (uint64_t i = 0; i < t->count; i++) {
		uint64_t at = (t->next + t->size - t->count + i) % t->size;
		print_entry(t->lines[at], strlen(t->lines[at]));
		free(t->lines[at]);
	}
	free(t->lines);
	fflush(stdout);
	fflush(stderr);
}

/* Print what the files hold now, oldest first, leaving r on container.log at its end. */
static int read_existing(struct reader *r, uint64_t tail)
{
	struct tail_ring ring = { .size = tail };
	if (tail != UINT64_MAX) {
		ring.lines = calloc(tail ? tail : 1, sizeof(char *));
		if (!ring.lines)
			return -ENOMEM;
		r->ring = &ring;
	}
	for (int n = oldest_index(r); n >= 0; n--) {
		char name[PATH_MAX];
		rotated_name(name, r, (unsigned)n);
		if (open_file(r, name) < 0)
			continue;
		read_to_end(r);
		/* Rotated meanwhile: what was container.log is now .1; read on from its successor. */
		while (n == 0 && rotated(r) && open_successor(r) == 0)
			read_to_end(r);
	}
	if (r->ring)
		print_ring(r);
	return 0;
}

static void wait_for_change(int inotify_fd)
{
	struct pollfd p = { .fd = inotify_fd, .events = POLLIN };
	if (poll(&p, 1, inotify_fd >= 0 ? 1000 : 100) > 0) {
		char events[4096];
		while (read(inotify_fd, events, sizeof(events)) > 0)
			;
	}
}

int log_read_json_file(const struct log_read_options *o, struct error *err)
{
	struct reader r = { .fd = -1 };
	snprintf(r.path, sizeof(r.path), "%s/%s", o->folder, CONTAINER_LOG_FILE);
	_cleanup_free_ char *carry = malloc(ENTRY_MAX);
	if (!carry)
		return error_set(err, ENOMEM, "log reader");
	r.carry = carry;
	_cleanup_close_ int inotify_fd = -1;
	if (o->follow) {
		inotify_fd = inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
		if (inotify_fd >= 0)
			(void)inotify_add_watch(inotify_fd, o->folder,
						IN_MODIFY | IN_CREATE | IN_MOVED_TO | IN_CLOSE_WRITE);
	}
	int ret = read_existing(&r, o->tail);
	if (ret < 0) {
		if (r.fd >= 0)
			close(r.fd);
		return error_set_errno(err, ret, "read %s", r.path);
	}
	if (!o->follow && r.fd < 0)
		return error_set(err, ENOENT, "%s: no log yet", r.path);
	while (o->follow) {
		/* Checked before the last read: everything written before the exit is then read. */
		bool ended = log_read_container_ended(o->folder);
		if (r.fd < 0 && open_file(&r, r.path) < 0) {
			if (ended)
				break;
			wait_for_change(inotify_fd);
			continue;
		}
		read_to_end(&r);
		if (rotated(&r)) {
			read_to_end(&r);
			if (open_successor(&r) == 0)
				continue;
		}
		if (ended)
			break;
		wait_for_change(inotify_fd);
	}
	if (r.fd >= 0)
		close(r.fd);
	return 0;
}
