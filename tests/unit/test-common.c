#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common/base64.h"
#include "common/cleanup.h"
#include "common/error.h"
#include "common/fileio.h"
#include "common/parse.h"
#include "tests/unit/test.h"

TEST(error_set_and_wrap)
{
	struct error err = { 0 };
	ASSERT_INT_EQ(error_set(&err, ENOENT, "open %s", "x"), -ENOENT);
	ASSERT_INT_EQ(error_set(&err, -ENOENT, "open %s", "x"), -ENOENT);
	ASSERT_STR_EQ(err.message, "open x");
	ASSERT_INT_EQ(error_wrap(&err, "load %s", "image"), -ENOENT);
	ASSERT_STR_EQ(err.message, "load image: open x");
	ASSERT_INT_EQ(error_set_errno(&err, EACCES, "write %s", "f"), -EACCES);
	ASSERT_STR_EQ(err.message, "write f: Permission denied");
	ASSERT_INT_EQ(error_set(NULL, EINVAL, "nothing"), -EINVAL);
	ASSERT_INT_EQ(error_wrap(NULL, "nothing"), -EIO);
	error_clear(&err);
	ASSERT_INT_EQ(err.code, 0);
	ASSERT_INT_EQ(error_wrap(&err, "ctx"), -EIO);
}

TEST(error_wrap_truncates_safely)
{
	struct error err = { 0 };
	char long_text[2000];
	memset(long_text, 'a', sizeof(long_text) - 1);
	long_text[sizeof(long_text) - 1] = '\0';
	error_set(&err, EINVAL, "%s", long_text);
	ASSERT_INT_EQ(strlen(err.message), sizeof(err.message) - 1);
	error_wrap(&err, "context");
	ASSERT_INT_EQ(strlen(err.message), sizeof(err.message) - 1);
	ASSERT_TRUE(strncmp(err.message, "context: aaa", 12) == 0);
	error_wrap(&err, "%s", long_text);
	ASSERT_INT_EQ(strlen(err.message), sizeof(err.message) - 1);
	ASSERT_INT_EQ(err.code, EINVAL);
}

TEST(parse_u64_bounds)
{
	uint64_t v = 7;
	ASSERT_INT_EQ(parse_u64("42", 0, 100, &v), 0);
	ASSERT_INT_EQ(v, 42);
	ASSERT_INT_EQ(parse_u64("18446744073709551615", 0, UINT64_MAX, &v), 0);
	ASSERT_TRUE(v == UINT64_MAX);
	v = 7;
	ASSERT_INT_EQ(parse_u64("18446744073709551616", 0, UINT64_MAX, &v), -ERANGE);
	ASSERT_INT_EQ(parse_u64("101", 0, 100, &v), -ERANGE);
	ASSERT_INT_EQ(parse_u64("4", 5, 100, &v), -ERANGE);
	ASSERT_INT_EQ(parse_u64("-1", 0, 100, &v), -EINVAL);
	ASSERT_INT_EQ(parse_u64("+1", 0, 100, &v), -EINVAL);
	ASSERT_INT_EQ(parse_u64(" 1", 0, 100, &v), -EINVAL);
	ASSERT_INT_EQ(parse_u64("1 ", 0, 100, &v), -EINVAL);
	ASSERT_INT_EQ(parse_u64("1x", 0, 100, &v), -EINVAL);
	ASSERT_INT_EQ(parse_u64("", 0, 100, &v), -EINVAL);
	ASSERT_INT_EQ(parse_u64(NULL, 0, 100, &v), -EINVAL);
	ASSERT_INT_EQ(v, 7); /* untouched on error */
}

TEST(parse_i64_bounds)
{
	int64_t v = 7;
	ASSERT_INT_EQ(parse_i64("-42", -100, 100, &v), 0);
	ASSERT_INT_EQ(v, -42);
	ASSERT_INT_EQ(parse_i64("-9223372036854775808", INT64_MIN, INT64_MAX, &v), 0);
	ASSERT_TRUE(v == INT64_MIN);
	v = 7;
	ASSERT_INT_EQ(parse_i64("9223372036854775808", INT64_MIN, INT64_MAX, &v), -ERANGE);
	ASSERT_INT_EQ(parse_i64("-9223372036854775809", INT64_MIN, INT64_MAX, &v), -ERANGE);
	ASSERT_INT_EQ(parse_i64("-101", -100, 100, &v), -ERANGE);
	ASSERT_INT_EQ(parse_i64("-", -100, 100, &v), -EINVAL);
	ASSERT_INT_EQ(parse_i64("--1", -100, 100, &v), -EINVAL);
	ASSERT_INT_EQ(parse_i64("0x10", -100, 100, &v), -EINVAL);
	ASSERT_INT_EQ(v, 7);
}

TEST(base64_round_trip_and_strictness)
{
	static const char *const vectors[][2] = {
		{ "", "" }, { "f", "Zg==" }, { "fo", "Zm8=" }, { "foo", "Zm9v" },
		{ "foob", "Zm9vYg==" }, { "fooba", "Zm9vYmE=" }, { "foobar", "Zm9vYmFy" },
	};
	for (size_t i = 0; i < ELEMENTSOF(vectors); i++) {
		_cleanup_free_ char *enc = base64_encode(vectors[i][0], strlen(vectors[i][0]));
		ASSERT_STR_EQ(enc, vectors[i][1]);
		_cleanup_free_ unsigned char *dec = NULL;
		size_t n = 99;
		ASSERT_INT_EQ(base64_decode(vectors[i][1], &dec, &n), 0);
		ASSERT_INT_EQ(n, strlen(vectors[i][0]));
		ASSERT_TRUE(memcmp(dec, vectors[i][0], n) == 0);
	}
	unsigned char bytes[256];
	for (size_t i = 0; i < sizeof(bytes); i++)
		bytes[i] = (unsigned char)i;
	_cleanup_free_ char *enc = base64_encode(bytes, sizeof(bytes));
	_cleanup_free_ unsigned char *dec = NULL;
	size_t n = 0;
	ASSERT_INT_EQ(base64_decode(enc, &dec, &n), 0);
	ASSERT_INT_EQ(n, sizeof(bytes));
	ASSERT_TRUE(memcmp(dec, bytes, n) == 0);

	static const char *const bad[] = { "Zg=", "Zg", "Z===", "Zg==Zg==", "Zm9v\n", " Zm9v",
					   "Zm9-", "Zm_v", "=Zm9", "Zm=v" };
	for (size_t i = 0; i < ELEMENTSOF(bad); i++) {
		unsigned char *out = NULL;
		if (base64_decode(bad[i], &out, &n) != -EINVAL) {
			free(out);
			test_fail_at(__FILE__, __LINE__, "\"%s\" was accepted", bad[i]);
			return;
		}
	}
}

TEST(fileio_write_read_limits)
{
	char path[512];
	snprintf(path, sizeof(path), "%s/a/b/c", test_tmpdir());
	ASSERT_INT_EQ(mkdir_parents(path, 0755), 0);
	ASSERT_INT_EQ(mkdir_parents(path, 0755), 0); /* existing is fine */
	char file[600];
	snprintf(file, sizeof(file), "%s/data", path);
	ASSERT_INT_EQ(write_file_atomic(file, "hello", 5, 0600), 0);
	struct stat st;
	ASSERT_INT_EQ(stat(file, &st), 0);
	ASSERT_INT_EQ(st.st_mode & 0777, 0600);
	_cleanup_free_ char *data = NULL;
	size_t size = 0;
	ASSERT_INT_EQ(read_file_full(file, 5, &data, &size), 0);
	ASSERT_STR_EQ(data, "hello");
	ASSERT_INT_EQ(size, 5);
	char *none = NULL;
	ASSERT_INT_EQ(read_file_full(file, 4, &none, &size), -EFBIG);
	ASSERT_TRUE(none == NULL);
	/* Larger than the first buffer, to cross the growth path. */
	size_t big_size = 10000;
	char *big = malloc(big_size);
	ASSERT_TRUE(big != NULL);
	memset(big, 'x', big_size);
	int r = write_file_atomic(file, big, big_size, 0644);
	free(big);
	ASSERT_INT_EQ(r, 0);
	ASSERT_INT_EQ(read_file_full(file, 9999, &none, &size), -EFBIG);
	_cleanup_free_ char *again = NULL;
	ASSERT_INT_EQ(read_file_full(file, 10000, &again, &size), 0);
	ASSERT_INT_EQ(size, 10000);
	char missing[600];
	snprintf(missing, sizeof(missing), "%s/missing", path);
	ASSERT_INT_EQ(read_file_full(missing, 10, &none, &size), -ENOENT);
	ASSERT_INT_EQ(mkdir_parents(file, 0755), -ENOTDIR);
}

TEST(fileio_write_file_replace)
{
	char file[600];
	snprintf(file, sizeof(file), "%s/pid", test_tmpdir());
	ASSERT_INT_EQ(write_file_replace(file, "12\n", 3, 0644), 0);
	ASSERT_INT_EQ(write_file_replace(file, "345\n", 4, 0644), 0);
	struct stat st;
	ASSERT_INT_EQ(stat(file, &st), 0);
	ASSERT_INT_EQ(st.st_mode & 0777, 0644);
	_cleanup_free_ char *data = NULL;
	ASSERT_INT_EQ(read_file_full(file, 16, &data, NULL), 0);
	ASSERT_STR_EQ(data, "345\n");
	/* No temporary file left beside it. */
	_cleanup_closedir_ DIR *d = opendir(test_tmpdir());
	int entries = 0;
	for (struct dirent *e; (e = readdir(d));)
		entries += e->d_name[0] != '.';
	ASSERT_INT_EQ(entries, 1);
}

TEST(fileio_remove_tree_does_not_follow_symlinks)
{
	char outside[512], tree[512], link[600], kept[600], inner[600];
	snprintf(outside, sizeof(outside), "%s/outside", test_tmpdir());
	snprintf(tree, sizeof(tree), "%s/tree", test_tmpdir());
	ASSERT_INT_EQ(mkdir_parents(outside, 0755), 0);
	snprintf(kept, sizeof(kept), "%s/kept", outside);
	ASSERT_INT_EQ(write_file_atomic(kept, "k", 1, 0644), 0);
	snprintf(inner, sizeof(inner), "%s/x/y", tree);
	ASSERT_INT_EQ(mkdir_parents(inner, 0755), 0);
	snprintf(link, sizeof(link), "%s/x/link", tree);
	ASSERT_INT_EQ(symlink(outside, link), 0);
	ASSERT_INT_EQ(remove_tree(tree), 0);
	ASSERT_TRUE(access(tree, F_OK) < 0);
	ASSERT_INT_EQ(access(kept, F_OK), 0);
	ASSERT_INT_EQ(remove_tree(tree), 0); /* missing is not an error */
}
