#include "logs/log_json_file.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* Length of the valid UTF-8 sequence at s (n bytes available), 0 when it is not one. */
static size_t utf8_sequence(const unsigned char *s, size_t n)
{
	unsigned char c = s[0];
	size_t len;
	unsigned char lo = 0x80, hi = 0xbf;
	if (c < 0x80)
		return 1;
	if (c >= 0xc2 && c <= 0xdf)
		len = 2;
	else if (c >= 0xe0 && c <= 0xef)
		len = 3;
	else if (c >= 0xf0 && c <= 0xf4)
		len = 4;
	else
		return 0;
	/* Overlong forms, UTF-16 surrogates and code points past U+10FFFF are not UTF-8. */
	if (c == 0xe0)
		lo = 0xa0;
	else if (c == 0xed)
		hi = 0x9f;
	else if (c == 0xf0)
		lo = 0x90;
	else if (c == 0xf4)
		hi = 0x8f;
	if (n < len || s[1] < lo || s[1] > hi)
		return 0;
	for (size_t i = 2; i < len; i++)
		if (s[i] < 0x80 || s[i] > 0xbf)
			return 0;
	return len;
}

static size_t escape_json(const unsigned char *s, size_t n, char *out)
{
	static const char hex[] = "0123456789abcdef";
	size_t o = 0;
	for (size_t i = 0; i < n;) {
		unsigned char c = s[i];
		if (c == '"' || c == '\\') {
			out[o++] = '\\';
			out[o++] = (char)c;
		} else if (c == '\n' || c == '\t' || c == '\r') {
			out[o++] = '\\';
			out[o++] = c == '\n' ? 'n' : c == '\t' ? 't' : 'r';
		} else if (c < 0x20) {
			memcpy(out + o, "\\u00", 4);
			out[o + 4] = hex[c >> 4];
			out[o + 5] = hex[c & 15];
			o += 6;
		} else if (c >= 0x80) {
			size_t len = utf8_sequence(s + i, n - i);
			if (len == 0) {
				memcpy(out + o, "\\ufffd", 6);
				o += 6;
				i++;
				continue;
			}
			memcpy(out + o, s + i, len);
			o += len;
			i += len;
			continue;
		} else {
			out[o++] = (char)c;
		}
		i++;
	}
	return o;
}

/* RFC 3339 with nanoseconds, trailing zeros dropped, as Go's RFC3339Nano. */
static size_t format_time(const struct timespec *t, char *out)
{
	struct tm tm;
	time_t sec = t->tv_sec;
	gmtime_r(&sec, &tm);
	size_t n = strftime(out, 32, "%Y-%m-%dT%H:%M:%S", &tm);
	long ns = t->tv_nsec;
	if (ns > 0 && ns < 1000000000L) {
		int digits = 9;
		while (ns % 10 == 0) {
			ns /= 10;
			digits--;
		}
		n += (size_t)snprintf(out + n, 16, ".%0*ld", digits, ns);
	}
	out[n++] = 'Z';
	return n;
}

size_t log_json_encode(const struct log_entry *e, char *out)
{
	size_t o = 0;
	memcpy(out, "{\"log\":\"", 8);
	o += 8;
	size_t len = e->len < 16 * 1024 ? e->len : 16 * 1024;
	o += escape_json((const unsigned char *)e->line, len, out + o);
	if (!e->partial) {
		memcpy(out + o, "\\n", 2);
		o += 2;
	}
	o += (size_t)sprintf(out + o, "\",\"stream\":\"%s\",\"time\":\"", log_stream_name(e->stream));
	o += format_time(&e->time, out + o);
	memcpy(out + o, "\"}\n", 3);
	return o + 3;
}

void log_json_file_rotated_name(char *buf, size_t size, const char *path, unsigned n)
{
	snprintf(buf, size, "%s.%u", path, n);
}

static int open_current(struct log_json_file *f, int extra_flags)
{
	int fd = open(f->path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC | extra_flags, 0640);
	if (fd < 0)
		return -errno;
	struct stat st;
	if (fstat(fd, &st) < 0) {
		int r = -errno;
		close(fd);
		return r;
	}
	if (f->fd >= 0)
		close(f->fd);
	f->fd = fd;
	f->size = (uint64_t)st.st_size;
	return 0;
}

int log_json_file_open(struct log_json_file *f, const char *path, uint64_t max_size,
		       uint32_t max_file, struct error *err)
{
	*f = (struct log_json_file){ .fd = -1, .max_size = max_size, .max_file = max_file };
	f->path = strdup(path);
	f->buf = malloc(LOG_JSON_ENTRY_MAX);
	if (!f->path || !f->buf) {
		log_json_file_close(f);
		return error_set(err, ENOMEM, "log file");
	}
	int r = open_current(f, 0);
	if (r < 0) {
		log_json_file_close(f);
		return error_set_errno(err, r, "open %s", path);
	}
	return 0;
}

static int rotate(struct log_json_file *f)
{
	if (f->max_file <= 1) {
		if (ftruncate(f->fd, 0) < 0)
			return -errno;
		f->size = 0;
		return 0;
	}
	char from[PATH_MAX], to[PATH_MAX];
	for (unsigned i = f->max_file - 1; i >= 2; i--) {
		log_json_file_rotated_name(from, sizeof(from), f->path, i - 1);
		log_json_file_rotated_name(to, sizeof(to), f->path, i);
		if (rename(from, to) < 0 && errno != ENOENT)
			return -errno;
	}
	log_json_file_rotated_name(to, sizeof(to), f->path, 1);
	if (rename(f->path, to) < 0)
		return -errno;
	return open_current(f, O_TRUNC);
}

static int drop(struct log_json_file *f, int r)
{
	f->dropped++;
	if (!f->first_error)
		f->first_error = -r;
	return r;
}

int log_json_file_write(struct log_json_file *f, const struct log_entry *e)
{
	char *buf = f->buf;
	size_t n = log_json_encode(e, buf);
	if (f->size > 0 && f->size + n > f->max_size) {
		int r = rotate(f);
		if (r < 0)
			return drop(f, r);
	}
	ssize_t w;
	do
		w = write(f->fd, buf, n);
	while (w < 0 && errno == EINTR);
	if (w == (ssize_t)n) {
		f->size += n;
		return 0;
	}
	int r = w < 0 ? -errno : -ENOSPC;
	/* A torn entry would break the file for readers: take the piece back. */
	if (w > 0 && ftruncate(f->fd, (off_t)f->size) < 0)
		f->size += (uint64_t)w;
	return drop(f, r);
}

void log_json_file_close(struct log_json_file *f)
{
	if (f->fd >= 0)
		close(f->fd);
	f->fd = -1;
	free(f->path);
	f->path = NULL;
	free(f->buf);
	f->buf = NULL;
}
