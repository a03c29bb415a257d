#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <sys/un.h>
#include <unistd.h>

#include "agent/cli/api_client.h"
#include "common/cleanup.h"
#include "common/parse.h"

static const char *find_bytes(const char *text, size_t size, const char *what)
{
	size_t n = strlen(what);
	for (size_t i = 0; i + n <= size; i++)
		if (!memcmp(text + i, what, n))
			return text + i;
	return NULL;
}

/* Content-Length of HEAD (HEAD_SIZE bytes), or -1 when it has none. */
static long long content_length(const char *head, size_t head_size)
{
	static const char name[] = "\r\ncontent-length:";
	for (size_t i = 0; i + sizeof(name) - 1 <= head_size; i++) {
		if (strncasecmp(head + i, name, sizeof(name) - 1))
			continue;
		const char *v = head + i + sizeof(name) - 1;
		const char *end = head + head_size;
		while (v < end && *v == ' ')
			v++;
		char digits[21];
		size_t n = 0;
		while (v < end && n < sizeof(digits) - 1 && *v >= '0' && *v <= '9')
			digits[n++] = *v++;
		digits[n] = '\0';
		uint64_t len;
		return n && parse_u64(digits, 0, API_CLIENT_MAX_ANSWER, &len) >= 0 ? (long long)len
										   : -2;
	}
	return -1;
}

int api_client_parse_answer(const char *text, size_t size, int *ret_status,
			    const char **ret_body, size_t *ret_body_size)
{
	if (size < 12 || memcmp(text, "HTTP/1.", 7) || text[8] != ' ')
		return -EINVAL;
	int status = 0;
	for (size_t i = 9; i < 12; i++) {
		if (text[i] < '0' || text[i] > '9')
			return -EINVAL;
		status = status * 10 + (text[i] - '0');
	}
	const char *end_of_head = find_bytes(text, size, "\r\n\r\n");
	if (!end_of_head)
		return -EINVAL;
	const char *body = end_of_head + 4;
	size_t rest = size - (size_t)(body - text);
	long long len = content_length(text, (size_t)(end_of_head - text) + 2);
	if (len == -2 || (len >= 0 && (size_t)len > rest))
		return -EINVAL;
	*ret_status = status;
	*ret_body = body;
	*ret_body_size = len >= 0 ? (size_t)len : rest;
	return 0;
}

static int connect_socket(const char *socket_path, struct error *err)
{
	struct sockaddr_un addr = { .sun_family = AF_UNIX };
	if (strlen(socket_path) >= sizeof(addr.sun_path))
		return error_set(err, ENAMETOOLONG, "socket path too long: %s", socket_path);
	strcpy(addr.sun_path, socket_path);
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return error_set_errno(err, errno, "socket");
	struct timeval tv = { .tv_sec = 5 };
	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
	if (connect(fd, (struct sockaddr *)&addr, sizeof(addr)) < 0) {
		int e = errno;
		close(fd);
		return error_set_errno(err, e, "connect to %s", socket_path);
	}
	return fd;
}

int api_client_get(const char *socket_path, const char *path, int *ret_status, cJSON **ret_body,
		   struct error *err)
{
	_cleanup_close_ int fd = connect_socket(socket_path, err);
	if (fd < 0)
		return fd;
	_cleanup_free_ char *request = NULL;
	int n = asprintf(&request, "GET %s HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n",
			 path);
	if (n < 0)
		return error_set(err, ENOMEM, "out of memory");
	if (send(fd, request, (size_t)n, MSG_NOSIGNAL) != n)
		return error_set_errno(err, errno, "send to %s", socket_path);
	_cleanup_free_ char *text = NULL;
	size_t size = 0, cap = 0;
	for (;;) {
		if (size + 4096 + 1 > cap) {
			if (cap >= API_CLIENT_MAX_ANSWER)
				return error_set(err, EFBIG, "the answer to %s is too large", path);
			cap = cap ? cap * 2 : 16384;
			char *grown = realloc(text, cap);
			if (!grown)
				return error_set(err, ENOMEM, "out of memory");
			text = grown;
		}
		ssize_t r = recv(fd, text + size, cap - size - 1, 0);
		if (r < 0)
			return error_set_errno(err, errno, "read the answer to %s", path);
		if (r == 0)
			break;
		size += (size_t)r;
		const char *body;
		size_t body_size;
		int status;
		/* Done as soon as the whole body is there, closed or not. */
		if (find_bytes(text, size, "\r\n\r\n") &&
		    api_client_parse_answer(text, size, &status, &body, &body_size) == 0 &&
		    content_length(text, size) >= 0)
			break;
	}
	const char *body;
	size_t body_size;
	if (api_client_parse_answer(text ? text : "", size, ret_status, &body, &body_size) < 0)
		return error_set(err, EPROTO, "the answer to %s is not HTTP", path);
	*ret_body = cJSON_ParseWithLength(body, body_size);
	return 0;
}
