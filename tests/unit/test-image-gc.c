/* The image store's collector on a made-up store: layers of known sizes, records with their
 * last use, layers in use; what goes and what stays. */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common/fileio.h"
#include "common/sha256.h"
#include "image/image_gc.h"
#include "image/image_record.h"
#include "tests/unit/test.h"

static char store[PATH_MAX];

/* A layer folder named by HEX_CHAR repeated, holding MIB MiB of data. */
static void layer(char hex_char, unsigned mib, char ret_hex[SHA256_HEX_LEN + 1])
{
	memset(ret_hex, hex_char, SHA256_HEX_LEN);
	ret_hex[SHA256_HEX_LEN] = '\0';
	char dir[PATH_MAX + 100], file[PATH_MAX + 200];
	snprintf(dir, sizeof(dir), "%s/layers/sha256/%s", store, ret_hex);
	ASSERT_INT_EQ(mkdir_parents(dir, 0755), 0);
	snprintf(file, sizeof(file), "%s/data", dir);
	int fd = open(file, O_WRONLY | O_CREAT | O_CLOEXEC, 0644);
	ASSERT_TRUE(fd >= 0);
	static char mib_of_ones[1 << 20];
	memset(mib_of_ones, 1, sizeof(mib_of_ones));
	for (unsigned i = 0; i < mib; i++)
		ASSERT_INT_EQ(write(fd, mib_of_ones, sizeof(mib_of_ones)), (int)sizeof(mib_of_ones));
	close(fd);
}

/* A record for REFERENCE naming the layers, last used at USED_AT. */
static void record(const char *reference, long used_at, const char *l1, const char *l2)
{
	char key[SHA256_HEX_LEN + 1], path[PATH_MAX + 100], text[1024];
	ASSERT_INT_EQ(sha256_hex(reference, strlen(reference), key), 0);
	snprintf(path, sizeof(path), "%s/records", store);
	ASSERT_INT_EQ(mkdir_parents(path, 0700), 0);
	snprintf(path, sizeof(path), "%s/records/%s.json", store, key);
	snprintf(text, sizeof(text), "{\"layers\":[\"%s\"%s%s%s],\"usedAt\":%ld}", l1,
		 l2 ? ",\"" : "", l2 ? l2 : "", l2 ? "\"" : "", used_at);
	ASSERT_INT_EQ(write_file_atomic(path, text, strlen(text), 0600), 0);
}

static bool has_layer(const char *hex)
{
	char dir[PATH_MAX + 100];
	struct stat st;
	snprintf(dir, sizeof(dir), "%s/layers/sha256/%s", store, hex);
	return stat(dir, &st) == 0;
}

TEST(least_recently_used_unused_images_go_until_the_store_fits)
{
	snprintf(store, sizeof(store), "%s/store1", test_tmpdir());
	char base[65], a[65], b[65], c[65];
	layer('0', 1, base);
	layer('a', 2, a);
	layer('b', 2, b);
	layer('c', 2, c);
	record("a", 100, base, a); /* oldest */
	record("b", 200, base, b);
	record("c", 300, base, c);
	struct image_gc_policy policy = { .budget_bytes = 6 << 20 };
	struct error err = { 0 };
	/* 7 MiB in all, 1 MiB more needed: a and b go, the shared base stays with c. */
	ASSERT_INT_EQ(image_store_gc(store, &policy, NULL, 1 << 20, &err), 0);
	ASSERT_TRUE(!has_layer(a));
	ASSERT_TRUE(!has_layer(b));
	ASSERT_TRUE(has_layer(c));
	ASSERT_TRUE(has_layer(base));
}

TEST(images_in_use_stay_and_a_pull_that_cannot_fit_is_refused_with_figures)
{
	snprintf(store, sizeof(store), "%s/store2", test_tmpdir());
	char base[65], a[65], b[65], in_use_path[PATH_MAX + 100];
	layer('0', 1, base);
	layer('a', 2, a);
	layer('b', 2, b);
	record("a", 100, base, a); /* oldest, but a container runs on it */
	record("b", 200, base, b);
	snprintf(in_use_path, sizeof(in_use_path), "%s/layers/sha256/%s", store, a);
	char base_path[PATH_MAX + 100];
	snprintf(base_path, sizeof(base_path), "%s/layers/sha256/%s", store, base);
	char *in_use[] = { base_path, in_use_path, NULL };
	struct image_gc_policy policy = { .budget_bytes = 5 << 20 };
	struct error err = { 0 };
	ASSERT_INT_EQ(image_store_gc(store, &policy, in_use, 3 << 19, &err), 0);
	ASSERT_TRUE(has_layer(a));
	ASSERT_TRUE(!has_layer(b));
	ASSERT_INT_EQ(image_store_gc(store, &policy, in_use, 3 << 20, &err), -ENOSPC);
	ASSERT_CONTAINS(err.message, "budget is 5 MiB");
	ASSERT_CONTAINS(err.message, "3 MiB more are needed");
	ASSERT_TRUE(has_layer(a));
}

TEST(a_pinned_image_stays_and_old_unused_images_go_by_age)
{
	snprintf(store, sizeof(store), "%s/store3", test_tmpdir());
	char a[65], b[65];
	layer('a', 1, a);
	layer('b', 1, b);
	record("a", 1, a, NULL);        /* used long ago */
	record("b", 1, b, NULL);        /* as old, but a pull holds it */
	int pin = image_record_pin(store, "b");
	ASSERT_TRUE(pin >= 0);
	struct image_gc_policy policy = { .max_unused_age_s = 3600 };
	struct error err = { 0 };
	ASSERT_INT_EQ(image_store_gc(store, &policy, NULL, 0, &err), 0);
	ASSERT_TRUE(!has_layer(a));
	ASSERT_TRUE(has_layer(b));
	close(pin);
	ASSERT_INT_EQ(image_store_gc(store, &policy, NULL, 0, &err), 0);
	ASSERT_TRUE(!has_layer(b));
}
