#include "image/image_ref.h"

#include <arpa/inet.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "common/cleanup.h"
#include "image/digest.h"

/* The limits of Docker's reference grammar (distribution/reference). */
#define NAME_MAX_LEN 255
#define TAG_MAX_LEN 128
#define TAG_CHARS "abcdefghijklmnopqrstuvwxyz0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ_.-"

static bool lower_alnum(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
}

/* A path component: runs of lower-case alphanumerics joined by one '.', one or two '_', or
 * any number of '-'. */
static bool path_component_ok(const char *s, size_t n)
{
	size_t i = 0;
	while (i < n) {
		size_t start = i;
		while (i < n && lower_alnum(s[i]))
			i++;
		if (i == start)
			return false;
		if (i == n)
			return true;
		if (s[i] == '.')
			i++;
		else if (s[i] == '_')
			i += i + 1 < n && s[i + 1] == '_' ? 2 : 1;
		else if (s[i] == '-')
			while (i < n && s[i] == '-')
				i++;
		else
			return false;
	}
	return false; /* empty, or ends with a separator */
}

static bool host_char(char c)
{
	return lower_alnum(c) || (c >= 'A' && c <= 'Z') || c == '.' || c == '-';
}

/* A registry: host[:port], the host a DNS name, an IPv4 address or a bracketed IPv6 one. */
static bool registry_ok(const char *s, size_t n)
{
	const char *end = s + n, *port = NULL;
	if (n > 0 && s[0] == '[') {
		const char *close = memchr(s, ']', n);
		if (!close || close == s + 1)
			return false;
		char addr[INET6_ADDRSTRLEN];
		size_t len = (size_t)(close - s - 1);
		struct in6_addr a6;
		if (len >= sizeof(addr))
			return false;
		memcpy(addr, s + 1, len);
		addr[len] = '\0';
		if (inet_pton(AF_INET6, addr, &a6) != 1)
			return false;
		if (close + 1 != end && close[1] != ':')
			return false;
		port = close + 1 != end ? close + 2 : NULL;
	} else {
		const char *colon = memchr(s, ':', n);
		const char *host_end = colon ? colon : end;
		if (host_end == s)
			return false;
		for (const char *p = s; p < host_end; p++)
			if (!host_char(*p))
				return false;
		if (s[0] == '-' || s[0] == '.' || host_end[-1] == '-' || host_end[-1] == '.')
			return false;
		port = colon ? colon + 1 : NULL;
	}
	if (port) {
		size_t digits = (size_t)(end - port);
		if (digits == 0 || digits > 5)
			return false;
		unsigned long value = 0;
		for (const char *p = port; p < end; p++) {
			if (*p < '0' || *p > '9')
				return false;
			value = value * 10 + (unsigned long)(*p - '0');
		}
		if (value == 0 || value > 65535)
			return false;
	}
	return true;
}

/* Docker's rule: the first component names a registry when it has a '.' or a ':', or is
 * "localhost"; "library/x" and "team/app" are Docker Hub repositories. */
static bool names_registry(const char *s, size_t n)
{
	return memchr(s, '.', n) || memchr(s, ':', n) || (n == 9 && !memcmp(s, "localhost", 9)) ||
	       (n > 0 && s[0] == '[');
}

static char *lower_dup(const char *s, size_t n)
{
	char *d = strndup(s, n);
	for (char *p = d; p && *p; p++)
		if (*p >= 'A' && *p <= 'Z')
			*p = (char)(*p - 'A' + 'a');
	return d;
}

void image_ref_done(struct image_ref *ref)
{
	free(ref->registry);
	free(ref->repository);
	free(ref->tag);
	free(ref->digest);
	*ref = (struct image_ref){ 0 };
}

static int parse_name(const char *name, size_t n, struct image_ref *ref, struct error *err)
{
	const char *slash = memchr(name, '/', n);
	const char *path = name;
	size_t path_n = n;
	if (slash && names_registry(name, (size_t)(slash - name))) {
		size_t reg_n = (size_t)(slash - name);
		if (!registry_ok(name, reg_n))
			return error_set(err, EINVAL, "registry \"%.*s\" is not host[:port]",
					 (int)(reg_n > 100 ? 100 : reg_n), name);
		ref->registry = lower_dup(name, reg_n);
		/* Docker's old name for its hub is the hub. */
		if (ref->registry && !strcmp(ref->registry, "index.docker.io")) {
			free(ref->registry);
			ref->registry = strdup(IMAGE_REF_DEFAULT_REGISTRY);
		}
		path = slash + 1;
		path_n = n - reg_n - 1;
	} else {
		ref->registry = strdup(IMAGE_REF_DEFAULT_REGISTRY);
	}
	if (!ref->registry)
		return error_set(err, ENOMEM, "out of memory");
	if (path_n == 0)
		return error_set(err, EINVAL, "no repository name");
	for (size_t i = 0; i < path_n;) {
		const char *c = path + i, *next = memchr(c, '/', path_n - i);
		size_t c_n = next ? (size_t)(next - c) : path_n - i;
		if (!path_component_ok(c, c_n))
			return error_set(err, EINVAL, "repository \"%.*s\" must be lower-case letters, "
					 "digits and separators (. _ __ -) between '/'",
					 (int)(path_n > 100 ? 100 : path_n), path);
		i += c_n + 1;
		if (next && i == path_n)
			return error_set(err, EINVAL, "repository \"%.*s\" ends with '/'",
					 (int)(path_n > 100 ? 100 : path_n), path);
	}
	bool official = !strcmp(ref->registry, IMAGE_REF_DEFAULT_REGISTRY) &&
			!memchr(path, '/', path_n);
	if (official ? asprintf(&ref->repository, "library/%.*s", (int)path_n, path) < 0
		     : !(ref->repository = strndup(path, path_n)))
		return error_set(err, ENOMEM, "out of memory");
	return 0;
}

int image_ref_parse(const char *text, struct image_ref *ret, struct error *err)
{
	const char *s = text;
	if (!strncmp(s, IMAGE_REF_DOCKER_PREFIX, strlen(IMAGE_REF_DOCKER_PREFIX)))
		s += strlen(IMAGE_REF_DOCKER_PREFIX);
	size_t len = strlen(s);
	if (len == 0)
		return error_set(err, EINVAL, "empty image reference");
	if (len > NAME_MAX_LEN + 1 + TAG_MAX_LEN + 1 + 7 + SHA256_HEX_LEN)
		return error_set(err, EINVAL, "image reference longer than %d characters",
				 NAME_MAX_LEN + 1 + TAG_MAX_LEN + 1 + 7 + SHA256_HEX_LEN);
	_cleanup_(image_ref_done) struct image_ref ref = { 0 };

	const char *at = strchr(s, '@');
	size_t rest = at ? (size_t)(at - s) : len;
	if (at) {
		char hex[SHA256_HEX_LEN + 1];
		if (digest_parse_sha256(at + 1, hex) < 0)
			return error_set(err, EINVAL, "digest \"%.80s\" is not sha256:<64 lower-case "
					 "hex digits>", at + 1);
		if (!(ref.digest = strdup(at + 1)))
			return error_set(err, ENOMEM, "out of memory");
	}
	/* A tag follows the last ':' that comes after the last '/' (a port's ':' comes before). */
	const char *colon = NULL;
	for (const char *p = s; p < s + rest; p++) {
		if (*p == '/')
			colon = NULL;
		else if (*p == ':')
			colon = p;
	}
	size_t name_n = colon ? (size_t)(colon - s) : rest;
	if (colon) {
		size_t tag_n = rest - name_n - 1;
		const char *tag = colon + 1;
		if (tag_n == 0 || tag_n > TAG_MAX_LEN || strspn(tag, TAG_CHARS) < tag_n ||
		    tag[0] == '.' || tag[0] == '-')
			return error_set(err, EINVAL, "tag \"%.*s\" is not a valid tag (letters, digits, "
					 "_ . -, at most %d, not starting with . or -)",
					 (int)(tag_n > 130 ? 130 : tag_n), tag, TAG_MAX_LEN);
		if (!(ref.tag = strndup(tag, tag_n)))
			return error_set(err, ENOMEM, "out of memory");
	} else if (!ref.digest && !(ref.tag = strdup("latest"))) {
		return error_set(err, ENOMEM, "out of memory");
	}
	if (name_n > NAME_MAX_LEN)
		return error_set(err, EINVAL, "image name longer than %d characters", NAME_MAX_LEN);
	int r = parse_name(s, name_n, &ref, err);
	if (r < 0)
		return r;
	*ret = ref;
	ref = (struct image_ref){ 0 };
	return 0;
}

const char *image_ref_manifest_name(const struct image_ref *ref)
{
	return ref->digest ? ref->digest : ref->tag;
}

int image_ref_registry_host(const char *registry, char *buf, size_t size)
{
	const char *start = registry, *end;
	if (registry[0] == '[') {
		start++;
		end = strchr(start, ']');
	} else {
		end = strchr(registry, ':');
	}
	size_t n = end ? (size_t)(end - start) : strlen(start);
	if (n >= size)
		return -ENAMETOOLONG;
	memcpy(buf, start, n);
	buf[n] = '\0';
	return 0;
}

bool image_ref_registry_is_loopback(const char *registry)
{
	char host[256];
	if (image_ref_registry_host(registry, host, sizeof(host)) < 0)
		return false;
	if (!strcmp(host, "localhost"))
		return true;
	struct in_addr a4;
	struct in6_addr a6;
	if (inet_pton(AF_INET, host, &a4) == 1)
		return (ntohl(a4.s_addr) >> 24) == 127;
	return inet_pton(AF_INET6, host, &a6) == 1 && IN6_IS_ADDR_LOOPBACK(&a6);
}
