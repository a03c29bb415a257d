/* The cache of compiled seccomp filters: a whole file written for a key reads back the same
 * program; a damaged one, one for another key, or one others could write is refused. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include "monitor/seccomp_cache.h"
#include "tests/unit/test.h"

#define KEY UINT64_C(0x0123456789abcdef)

static const struct sock_filter program[] = {
	BPF_STMT(BPF_LD | BPF_W | BPF_ABS, 0),
	BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, 39, 0, 1),
	BPF_STMT(BPF_RET | BPF_K, 0x7fff0000),
	BPF_STMT(BPF_RET | BPF_K, 0x00050001),
};
#define N (sizeof(program) / sizeof(program[0]))

static char *path_of(const char *dir)
{
	char *path = NULL;
	return asprintf(&path, "%s/%016llx.bpf", dir, (unsigned long long)KEY) < 0 ? NULL : path;
}

static int read_back(const char *dir, uint64_t key, size_t *ret_n)
{
	struct sock_filter *got = NULL;
	struct error err = { 0 };
	int r = seccomp_cache_read(dir, key, &got, ret_n, &err);
	if (r == 0 && memcmp(got, program, sizeof(program)) != 0)
		r = -EINVAL;
	free(got);
	return r;
}

/* Overwrite SIZE bytes at OFFSET of the file (or cut it there with SIZE 0). */
static void damage(const char *path, off_t offset, const void *bytes, size_t size)
{
	int fd = open(path, O_WRONLY | O_CLOEXEC);
	if (size)
		(void)!pwrite(fd, bytes, size, offset);
	else
		(void)!ftruncate(fd, offset);
	close(fd);
}

TEST(seccomp_cache_round_trip)
{
	const char *dir = test_tmpdir();
	size_t n = 0;
	ASSERT_INT_EQ(read_back(dir, KEY, &n), -ENOENT);
	struct error err = { 0 };
	ASSERT_INT_EQ(seccomp_cache_write(dir, KEY, program, N, &err), 0);
	ASSERT_INT_EQ(read_back(dir, KEY, &n), 0);
	ASSERT_INT_EQ(n, N);
	char *path = path_of(dir);
	struct stat st;
	ASSERT_TRUE(stat(path, &st) == 0);
	free(path);
	ASSERT_INT_EQ(st.st_mode & 0777, 0600);
	ASSERT_INT_EQ(st.st_size, SECCOMP_CACHE_HEADER_SIZE + sizeof(program));
	/* Written again (another monitor raced us): replaced whole, still readable. */
	ASSERT_INT_EQ(seccomp_cache_write(dir, KEY, program, N, &err), 0);
	ASSERT_INT_EQ(read_back(dir, KEY, &n), 0);
}

TEST(seccomp_cache_refuses_damage)
{
	const char *dir = test_tmpdir();
	char *path = path_of(dir);
	struct error err = { 0 };
	size_t n = 0;
	/* An instruction changed (here: the refusal made an allow) without the hash. */
	const uint32_t allow = 0x7fff0000;
	ASSERT_INT_EQ(seccomp_cache_write(dir, KEY, program, N, &err), 0);
	damage(path, SECCOMP_CACHE_HEADER_SIZE + 3 * sizeof(struct sock_filter) + 4, &allow, 4);
	ASSERT_INT_EQ(read_back(dir, KEY, &n), -EBADMSG);
	/* Cut inside an instruction, and cut at an instruction boundary. */
	ASSERT_INT_EQ(seccomp_cache_write(dir, KEY, program, N, &err), 0);
	damage(path, SECCOMP_CACHE_HEADER_SIZE + 5, NULL, 0);
	ASSERT_INT_EQ(read_back(dir, KEY, &n), -EBADMSG);
	ASSERT_INT_EQ(seccomp_cache_write(dir, KEY, program, N, &err), 0);
	damage(path, SECCOMP_CACHE_HEADER_SIZE + sizeof(struct sock_filter), NULL, 0);
	ASSERT_INT_EQ(read_back(dir, KEY, &n), -EBADMSG);
	/* Only the header, and nothing at all. */
	damage(path, SECCOMP_CACHE_HEADER_SIZE, NULL, 0);
	ASSERT_INT_EQ(read_back(dir, KEY, &n), -EBADMSG);
	damage(path, 0, NULL, 0);
	ASSERT_INT_EQ(read_back(dir, KEY, &n), -EBADMSG);
	/* The header's instruction count changed. */
	ASSERT_INT_EQ(seccomp_cache_write(dir, KEY, program, N, &err), 0);
	const uint32_t three = 3;
	damage(path, 16, &three, 4);
	ASSERT_INT_EQ(read_back(dir, KEY, &n), -EBADMSG);
	free(path);
}

TEST(seccomp_cache_refuses_other_keys_and_writers)
{
	const char *dir = test_tmpdir();
	char *path = path_of(dir);
	struct error err = { 0 };
	size_t n = 0;
	ASSERT_INT_EQ(seccomp_cache_write(dir, KEY, program, N, &err), 0);
	/* The file of another key put under this key's name. */
	char *other = NULL;
	ASSERT_TRUE(asprintf(&other, "%s/%016llx.bpf", dir, (unsigned long long)(KEY + 1)) > 0);
	ASSERT_TRUE(rename(path, other) == 0);
	ASSERT_INT_EQ(read_back(dir, KEY + 1, &n), -EBADMSG);
	free(other);
	/* Writable by the group: not loaded, whatever it holds. */
	ASSERT_INT_EQ(seccomp_cache_write(dir, KEY, program, N, &err), 0);
	ASSERT_TRUE(chmod(path, 0620) == 0);
	ASSERT_INT_EQ(read_back(dir, KEY, &n), -EPERM);
	/* A symlink to a whole file is not followed. */
	ASSERT_INT_EQ(seccomp_cache_write(dir, KEY + 2, program, N, &err), 0);
	ASSERT_TRUE(unlink(path) == 0);
	char target[64];
	snprintf(target, sizeof(target), "%016llx.bpf", (unsigned long long)(KEY + 2));
	ASSERT_TRUE(symlink(target, path) == 0);
	ASSERT_TRUE(read_back(dir, KEY, &n) < 0);
	free(path);
}

TEST(seccomp_cache_encode_limits)
{
	void *data = NULL;
	size_t size = 0;
	ASSERT_INT_EQ(seccomp_cache_encode(KEY, program, 0, &data, &size), -EINVAL);
	ASSERT_INT_EQ(seccomp_cache_encode(KEY, program, SECCOMP_CACHE_MAX_INSNS + 1, &data, &size),
		      -EINVAL);
	ASSERT_INT_EQ(seccomp_cache_encode(KEY, program, N, &data, &size), 0);
	struct sock_filter *got = NULL;
	size_t n = 0;
	ASSERT_INT_EQ(seccomp_cache_decode(data, size, KEY, &got, &n), 0);
	ASSERT_INT_EQ(n, N);
	free(got);
	ASSERT_INT_EQ(seccomp_cache_decode(data, size, ~KEY, &got, &n), -EBADMSG);
	free(data);
}
