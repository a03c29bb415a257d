#include "logs/log_journald.h"

#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <sys/uio.h>
#include <sys/un.h>
#include <unistd.h>

#include "common/task_id.h"

/* A field whose value may hold a newline: NAME, newline, its length as 64-bit little endian,
 * the value, newline. Plain "NAME=value\n" is used for values known to be one line. */
static int append_field(FILE *out, const char *name, const char *value)
{
	if (!strchr(value, '\n'))
		return fprintf(out, "%s=%s\n", name, value) < 0 ? -ENOMEM : 0;
	uint64_t len = strlen(value);
	unsigned char le[8];
	for (int i = 0; i < 8; i++)
		le[i] = (unsigned char)(len >> (8 * i));
	if (fprintf(out, "%s\n", name) < 0 || fwrite(le, 1, 8, out) != 8 ||
	    fwrite(value, 1, len, out) != len || fputc('\n', out) == EOF)
		return -ENOMEM;
	return 0;
}

static int identity_fields(struct log_journald *j, const char *tag, const char *task_arn,
			   const char *container_name)
{
	char *task_id = NULL;
	if (task_id_from_arn(task_arn, &task_id) < 0)
		task_id = NULL;
	FILE *out = open_memstream(&j->identity, &j->identity_len);
	if (!out) {
		free(task_id);
		return -ENOMEM;
	}
	int r = append_field(out, "SYSLOG_IDENTIFIER", tag);
	if (r == 0)
		r = append_field(out, "TETHER_TASK_ARN", task_arn);
	if (r == 0 && task_id)
		r = append_field(out, "TETHER_TASK_ID", task_id);
	if (r == 0)
		r = append_field(out, "TETHER_CONTAINER_NAME", container_name);
	free(task_id);
	if (fclose(out) != 0 && r == 0)
		r = -ENOMEM;
	return r;
}

int log_journald_open(struct log_journald *j, const char *socket_path, const char *tag,
		      const char *task_arn, const char *container_name, struct error *err)
{
	*j = (struct log_journald){ .fd = -1 };
	struct sockaddr_un addr = { .sun_family = AF_UNIX };
	if (strlen(socket_path) >= sizeof(addr.sun_path))
		return error_set(err, ENAMETOOLONG, "journal socket %s", socket_path);
	strcpy(addr.sun_path, socket_path);
	int r = identity_fields(j, tag, task_arn, container_name);
	if (r < 0) {
		log_journald_close(j);
		return error_set(err, r, "journal fields");
	}
	j->fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (j->fd < 0) {
		r = error_set_errno(err, errno, "socket");
		log_journald_close(j);
		return r;
	}
	/* A journal that does not read its socket must not hold the container up for long. */
	struct timeval timeout = { .tv_sec = 1 };
	(void)setsockopt(j->fd, SOL_SOCKET, SO_SNDTIMEO, &timeout, sizeof(timeout));
	if (connect(j->fd, (struct sockaddr *)&addr, sizeof(addr)) < 0) {
		r = error_set_errno(err, errno, "connect to the journal at %s", socket_path);
		log_journald_close(j);
		return r;
	}
	return 0;
}

int log_journald_write(struct log_journald *j, const struct log_entry *e)
{
	bool err = e->stream == LOG_STDERR;
	static const char message[] = "MESSAGE\n";
	unsigned char le[8];
	for (int i = 0; i < 8; i++)
		le[i] = (unsigned char)((uint64_t)e->len >> (8 * i));
	const char *priority = err ? "PRIORITY=3\n" : "PRIORITY=6\n";
	const char *partial = e->partial ? "TETHER_PARTIAL_MESSAGE=true\n" : "";
	struct iovec iov[] = {
		{ .iov_base = j->identity, .iov_len = j->identity_len },
		{ .iov_base = (void *)priority, .iov_len = strlen(priority) },
		{ .iov_base = (void *)partial, .iov_len = strlen(partial) },
		{ .iov_base = (void *)message, .iov_len = sizeof(message) - 1 },
		{ .iov_base = le, .iov_len = sizeof(le) },
		{ .iov_base = (void *)e->line, .iov_len = e->len },
		{ .iov_base = (void *)"\n", .iov_len = 1 },
	};
	struct msghdr msg = { .msg_iov = iov, .msg_iovlen = sizeof(iov) / sizeof(iov[0]) };
	ssize_t n;
	do
		n = sendmsg(j->fd, &msg, MSG_NOSIGNAL);
	while (n < 0 && errno == EINTR);
	if (n >= 0)
		return 0;
	int r = -errno;
	j->dropped++;
	if (!j->first_error)
		j->first_error = -r;
	return r;
}

void log_journald_close(struct log_journald *j)
{
	if (j->fd >= 0)
		close(j->fd);
	free(j->identity);
	*j = (struct log_journald){ .fd = -1 };
}
