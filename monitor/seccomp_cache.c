/* The on-disk cache of compiled seccomp filters (seccomp_cache.h). */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common/cleanup.h"
#include "monitor/seccomp_cache.h"

struct cache_header {
	char magic[8];
	uint64_t key;
	uint32_t n;
	uint32_t zero;
	uint64_t hash;
};
_Static_assert(sizeof(struct cache_header) == SECCOMP_CACHE_HEADER_SIZE, "header layout");

#define MAX_FILE_SIZE (SECCOMP_CACHE_HEADER_SIZE + SECCOMP_CACHE_MAX_INSNS * sizeof(struct sock_filter))

uint64_t seccomp_cache_hash(uint64_t hash, const void *data, size_t size)
{
	const unsigned char *p = data;
	for (size_t i = 0; i < size; i++) {
		hash ^= p[i];
		hash *= UINT64_C(0x100000001b3);
	}
	return hash;
}

static uint64_t content_hash(const struct cache_header *h, const struct sock_filter *program)
{
	uint64_t hash = seccomp_cache_hash(SECCOMP_CACHE_HASH_INIT, h, offsetof(struct cache_header, hash));
	return seccomp_cache_hash(hash, program, h->n * sizeof(*program));
}

int seccomp_cache_encode(uint64_t key, const struct sock_filter *program, size_t n,
			 void **ret_data, size_t *ret_size)
{
	if (n == 0 || n > SECCOMP_CACHE_MAX_INSNS)
		return -EINVAL;
	size_t size = sizeof(struct cache_header) + n * sizeof(*program);
	unsigned char *data = malloc(size);
	if (!data)
		return -ENOMEM;
	struct cache_header h = { .key = key, .n = (uint32_t)n };
	memcpy(h.magic, SECCOMP_CACHE_MAGIC, sizeof(h.magic));
	h.hash = content_hash(&h, program);
	memcpy(data, &h, sizeof(h));
	memcpy(data + sizeof(h), program, n * sizeof(*program));
	*ret_data = data;
	*ret_size = size;
	return 0;
}

int seccomp_cache_decode(const void *data, size_t size, uint64_t key,
			 struct sock_filter **ret_program, size_t *ret_n)
{
	struct cache_header h;
	if (size < sizeof(h) || (size - sizeof(h)) % sizeof(struct sock_filter) != 0)
		return -EBADMSG;
	memcpy(&h, data, sizeof(h));
	size_t n = (size - sizeof(h)) / sizeof(struct sock_filter);
	if (memcmp(h.magic, SECCOMP_CACHE_MAGIC, sizeof(h.magic)) != 0 || h.key != key ||
	    h.n != n || h.zero != 0 || n == 0 || n > SECCOMP_CACHE_MAX_INSNS)
		return -EBADMSG;
	struct sock_filter *program = malloc(n * sizeof(*program));
	if (!program)
		return -ENOMEM;
	memcpy(program, (const unsigned char *)data + sizeof(h), n * sizeof(*program));
	if (content_hash(&h, program) != h.hash) {
		free(program);
		return -EBADMSG;
	}
	*ret_program = program;
	*ret_n = n;
	return 0;
}

static int cache_path(char *buf, size_t size, const char *dir, uint64_t key)
{
	int n = snprintf(buf, size, "%s/%016" PRIx64 ".bpf", dir, key);
	return n < 0 || (size_t)n >= size ? -ENAMETOOLONG : 0;
}

int seccomp_cache_read(const char *dir, uint64_t key, struct sock_filter **ret_program,
		       size_t *ret_n, struct error *err)
{
	char path[4096];
	if (cache_path(path, sizeof(path), dir, key) < 0)
		return error_set(err, ENAMETOOLONG, "seccomp cache in %s", dir);
	_cleanup_close_ int fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0)
		return error_set_errno(err, errno, "open %s", path);
	struct stat st;
	if (fstat(fd, &st) < 0)
		return error_set_errno(err, errno, "stat %s", path);
	/* A program we load into every container: only we may have written it. */
	if (!S_ISREG(st.st_mode) || st.st_uid != geteuid() || (st.st_mode & 022))
		return error_set(err, EPERM, "%s: not a file of ours alone", path);
	if (st.st_size < SECCOMP_CACHE_HEADER_SIZE || (size_t)st.st_size > MAX_FILE_SIZE)
		return error_set(err, EBADMSG, "%s: damaged (%jd bytes)", path, (intmax_t)st.st_size);
	_cleanup_free_ unsigned char *data = malloc((size_t)st.st_size);
	if (!data)
		return error_set(err, ENOMEM, "read %s", path);
	ssize_t got = pread(fd, data, (size_t)st.st_size, 0);
	if (got < 0)
		return error_set_errno(err, errno, "read %s", path);
	int r = seccomp_cache_decode(data, (size_t)got, key, ret_program, ret_n);
	if (r == -EBADMSG)
		return error_set(err, EBADMSG, "%s: damaged (size, header or hash)", path);
	if (r < 0)
		return error_set_errno(err, r, "read %s", path);
	return 0;
}

static int write_all_fd(int fd, const unsigned char *data, size_t size)
{
	while (size > 0) {
		ssize_t w = write(fd, data, size);
		if (w < 0 && errno == EINTR)
			continue;
		if (w < 0)
			return -errno;
		data += w;
		size -= (size_t)w;
	}
	return 0;
}

int seccomp_cache_write(const char *dir, uint64_t key, const struct sock_filter *program,
			size_t n, struct error *err)
{
	char path[4096], tmp[4096], proc[64];
	if (cache_path(path, sizeof(path), dir, key) < 0 ||
	    snprintf(tmp, sizeof(tmp), "%s.%d", path, (int)getpid()) >= (int)sizeof(tmp))
		return error_set(err, ENAMETOOLONG, "seccomp cache in %s", dir);
	_cleanup_free_ void *data = NULL;
	size_t size = 0;
	int r = seccomp_cache_encode(key, program, n, &data, &size);
	if (r < 0)
		return error_set_errno(err, r, "encode the seccomp filter");
	if (mkdir(dir, 0700) < 0 && errno != EEXIST)
		return error_set_errno(err, errno, "create %s", dir);
	/* Unnamed until whole: a monitor that dies while writing leaves nothing behind. */
	_cleanup_close_ int fd = open(dir, O_TMPFILE | O_WRONLY | O_CLOEXEC, 0600);
	if (fd < 0)
		return error_set_errno(err, errno, "create a file in %s", dir);
	r = write_all_fd(fd, data, size);
	if (r < 0)
		return error_set_errno(err, r, "write %s", path);
	/* linkat cannot replace a name: link under a name of our own, then rename over. A
	 * name of our pid left behind was left by a monitor that is gone. */
	snprintf(proc, sizeof(proc), "/proc/self/fd/%d", fd);
	(void)unlink(tmp);
	if (linkat(AT_FDCWD, proc, AT_FDCWD, tmp, AT_SYMLINK_FOLLOW) < 0)
		return error_set_errno(err, errno, "link %s", tmp);
	if (rename(tmp, path) < 0) {
		r = -errno;
		unlink(tmp);
		return error_set_errno(err, r, "rename %s", tmp);
	}
	return 0;
}
