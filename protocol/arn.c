#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include <openssl/evp.h>
#include <openssl/rand.h>

#include "protocol/arn.h"

__attribute__((format(printf, 1, 2))) static char *format(const char *fmt, ...)
{
	va_list ap;
	char *s = NULL;
	va_start(ap, fmt);
	int r = vasprintf(&s, fmt, ap);
	va_end(ap);
	return r < 0 ? NULL : s;
}

char *arn_cluster(const char *cluster)
{
	return format(ARN_PREFIX "cluster/%s", cluster);
}

char *arn_task(const char *cluster, const char *task_id)
{
	return format(ARN_PREFIX "task/%s/%s", cluster, task_id);
}

char *arn_container_instance(const char *cluster, const char *instance_id)
{
	return format(ARN_PREFIX "container-instance/%s/%s", cluster, instance_id);
}

char *arn_container(const char *cluster, const char *task_id, const char *name)
{
	return format(ARN_PREFIX "container/%s/%s/%s", cluster, task_id, name);
}

char *arn_rule(const char *name)
{
	return format(ARN_EVENTS_PREFIX "rule/%s", name);
}

char *arn_task_definition(const char *family, long long revision)
{
	return format(ARN_PREFIX "task-definition/%s:%lld", family, revision);
}

const char *arn_resource_id(const char *s, const char *kind)
{
	if (strncmp(s, "arn:", 4) != 0)
		return s;
	size_t plen = strlen(ARN_PREFIX), klen = strlen(kind);
	if (strncmp(s, ARN_PREFIX, plen) != 0 || strncmp(s + plen, kind, klen) != 0 ||
	    s[plen + klen] != '/')
		return NULL;
	const char *slash = strrchr(s, '/');
	return slash[1] ? slash + 1 : NULL;
}

static void to_hex(const unsigned char *b, size_t n, char *out)
{
	static const char digits[] = "0123456789abcdef";
	for (size_t i = 0; i < n; i++) {
		out[2 * i] = digits[b[i] >> 4];
		out[2 * i + 1] = digits[b[i] & 15];
	}
	out[2 * n] = '\0';
}

int random_hex(char *buf, size_t n_bytes)
{
	unsigned char b[64];
	if (n_bytes > sizeof(b) || RAND_bytes(b, (int)n_bytes) != 1)
		return -EIO;
	to_hex(b, n_bytes, buf);
	return 0;
}

int random_uuid(char buf[37])
{
	unsigned char b[16];
	if (RAND_bytes(b, sizeof(b)) != 1)
		return -EIO;
	b[6] = (unsigned char)((b[6] & 0x0f) | 0x40);
	b[8] = (unsigned char)((b[8] & 0x3f) | 0x80);
	char hex[33];
	to_hex(b, 16, hex);
	snprintf(buf, 37, "%.8s-%.4s-%.4s-%.4s-%.12s", hex, hex + 8, hex + 12, hex + 16, hex + 20);
	return 0;
}
