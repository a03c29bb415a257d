#include "monitor/log_forward.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common/log.h"

/* The note about dropped lines goes to monitor.log (our stderr), on the disk that may fill:
 * blocks reserved past its end now let that note be written when the disk is full. */
static void reserve_room_for_notes(void)
{
	struct stat st;
	if (fstat(STDERR_FILENO, &st) == 0 && S_ISREG(st.st_mode))
		(void)fallocate(STDERR_FILENO, FALLOC_FL_KEEP_SIZE, st.st_size, 64 * 1024);
}

int log_forward_open(struct log_forward *lf, const struct container_log *cfg,
		     const char *folder, struct error *err)
{
	*lf = (struct log_forward){ .cfg = cfg, .read_fd = { -1, -1 }, .write_fd = { -1, -1 } };
	const struct log_source source = { cfg->task_arn, cfg->container_name };
	int r = cfg->driver ? cfg->driver->open(&cfg->options, &source, folder, &lf->writer, err)
			    : error_set(err, EINVAL, "config.json: no log driver");
	if (r < 0)
		return r;
	reserve_room_for_notes();
	for (int s = 0; s < 2; s++) {
		int p[2];
		if (pipe2(p, O_CLOEXEC) < 0) {
			r = error_set_errno(err, errno, "pipe");
			log_forward_close(lf);
			return r;
		}
		/* Non-blocking, so that draining stops at an empty pipe whose writer lives on. */
		(void)fcntl(p[0], F_SETFL, O_NONBLOCK);
		lf->read_fd[s] = p[0];
		lf->write_fd[s] = p[1];
	}
	return 0;
}

void log_forward_close_write_ends(struct log_forward *lf)
{
	for (int s = 0; s < 2; s++) {
		if (lf->write_fd[s] >= 0)
			close(lf->write_fd[s]);
		lf->write_fd[s] = -1;
	}
}

void log_forward_poll_fds(const struct log_forward *lf, struct pollfd pfd[2])
{
	for (int s = 0; s < 2; s++)
		pfd[s] = (struct pollfd){ .fd = lf->read_fd[s], .events = POLLIN };
}

struct line_context {
	struct log_forward *lf;
	enum log_stream stream;
	struct timespec now;
};

static void write_line(void *userdata, const char *line, size_t len, bool partial)
{
	struct line_context *c = userdata;
	struct log_forward *lf = c->lf;
	struct log_entry e = { .line = line, .len = len, .partial = partial, .stream = c->stream,
			       .time = c->now };
	int r = lf->cfg->driver->write(lf->writer, &e);
	if (r < 0 && !lf->reported) {
		lf->reported = true;
		log_warning("Dropping log lines: %s (counted; the container goes on)", strerror(-r));
	}
}

/* One read on stream s; returns bytes read, 0 at end of file, -errno. */
static ssize_t read_stream(struct log_forward *lf, int s)
{
	struct log_line_buffer *b = &lf->buf[s];
	ssize_t n;
	do
		n = read(lf->read_fd[s], b->data + b->len, LOG_LINE_MAX - b->len);
	while (n < 0 && errno == EINTR);
	if (n < 0)
		return -errno;
	struct line_context c = { .lf = lf, .stream = s == 0 ? LOG_STDOUT : LOG_STDERR };
	clock_gettime(CLOCK_REALTIME, &c.now);
	b->len += (size_t)n;
	log_line_consume(b, n == 0, write_line, &c);
	if (n == 0) {
		close(lf->read_fd[s]);
		lf->read_fd[s] = -1;
	}
	return n;
}

void log_forward_read(struct log_forward *lf)
{
	/* A bounded number of reads per stream, so one busy stream cannot starve signals. */
	for (int s = 0; s < 2; s++)
		for (int i = 0; i < 16 && lf->read_fd[s] >= 0; i++)
			if (read_stream(lf, s) <= 0)
				break;
}

static void flush_unfinished(struct log_forward *lf, int s)
{
	struct line_context c = { .lf = lf, .stream = s == 0 ? LOG_STDOUT : LOG_STDERR };
	clock_gettime(CLOCK_REALTIME, &c.now);
	log_line_consume(&lf->buf[s], true, write_line, &c);
}

void log_forward_drain(struct log_forward *lf, int timeout_ms)
{
	for (;;) {
		struct pollfd pfd[2];
		log_forward_poll_fds(lf, pfd);
		if (pfd[0].fd < 0 && pfd[1].fd < 0)
			break;
		int n = poll(pfd, 2, timeout_ms);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		for (int s = 0; s < 2; s++)
			while (lf->read_fd[s] >= 0 && read_stream(lf, s) > 0)
				;
	}
	for (int s = 0; s < 2; s++) {
		flush_unfinished(lf, s);
		if (lf->read_fd[s] >= 0)
			close(lf->read_fd[s]);
		lf->read_fd[s] = -1;
	}
}

void log_forward_close(struct log_forward *lf)
{
	log_forward_close_write_ends(lf);
	for (int s = 0; s < 2; s++) {
		if (lf->read_fd[s] >= 0)
			close(lf->read_fd[s]);
		lf->read_fd[s] = -1;
	}
	uint64_t dropped = 0;
	int first = 0;
	if (lf->cfg->driver)
		lf->cfg->driver->close(lf->writer, &dropped, &first);
	lf->writer = NULL;
	if (dropped)
		log_warning("%llu log lines dropped (first cause: %s)", (unsigned long long)dropped,
			    strerror(first));
}
