/* What one layer may put on disk (image/layer_unpack.h): a gzip bomb, a flood of entries and a
 * file system filling up are each stopped with a clear error. The layers are real gzip'd tars
 * written with libarchive; the limits are made small so that the tests stay small. */
#include "tests/unit/test.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <sched.h>
#include <stdlib.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>

#include <archive.h>
#include <archive_entry.h>

#include "common/cleanup.h"
#include "image/layer_unpack.h"

#define MIB (1ULL << 20)

/* A gzip'd tar at PATH with n_files regular files of file_size zero bytes each. */
static int write_layer(const char *path, size_t n_files, size_t file_size)
{
	struct archive *a = archive_write_new();
	archive_write_set_format_pax_restricted(a);
	archive_write_add_filter_gzip(a);
	if (archive_write_open_filename(a, path) != ARCHIVE_OK)
		return -EIO;
	static char zeros[1 << 16];
	for (size_t i = 0; i < n_files; i++) {
		char name[32];
		snprintf(name, sizeof(name), "f%zu", i);
		struct archive_entry *e = archive_entry_new();
		archive_entry_set_pathname(e, name);
		archive_entry_set_filetype(e, AE_IFREG);
		archive_entry_set_perm(e, 0644);
		archive_entry_set_size(e, (la_int64_t)file_size);
		archive_write_header(a, e);
		for (size_t done = 0; done < file_size; done += sizeof(zeros))
			archive_write_data(a, zeros,
					   file_size - done < sizeof(zeros) ? file_size - done : sizeof(zeros));
		archive_entry_free(e);
	}
	archive_write_close(a);
	archive_write_free(a);
	return 0;
}

/* Unpack the layer at PATH into a new folder DEST with limits. */
static int unpack(const char *path, const char *dest, const struct layer_limits *limits,
		  struct error *err)
{
	if (mkdir(dest, 0755) < 0)
		return -errno;
	_cleanup_close_ int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	return layer_unpack_fd(fd, dest, limits, NULL, NULL, err);
}

TEST(image_limits_gzip_bomb_is_stopped)
{
	char layer[PATH_MAX], dest[PATH_MAX];
	snprintf(layer, sizeof(layer), "%s/bomb.tar.gz", test_tmpdir());
	snprintf(dest, sizeof(dest), "%s/out", test_tmpdir());
	/* 64 MiB of zeros: about 64 KiB of gzip. */
	ASSERT_INT_EQ(write_layer(layer, 1, 64 * MIB), 0);
	struct stat st;
	ASSERT_INT_EQ(stat(layer, &st), 0);
	ASSERT_TRUE(st.st_size < (off_t)MIB);
	struct layer_limits limits = layer_limits_default;
	limits.max_bytes = 16 * MIB;
	struct error err = { 0 };
	ASSERT_INT_EQ(unpack(layer, dest, &limits, &err), -EFBIG);
	ASSERT_CONTAINS(err.message, "the layer unpacks to more than 16777216 bytes");
}

TEST(image_limits_many_small_files_add_up)
{
	char layer[PATH_MAX], dest[PATH_MAX];
	snprintf(layer, sizeof(layer), "%s/many.tar.gz", test_tmpdir());
	snprintf(dest, sizeof(dest), "%s/out", test_tmpdir());
	ASSERT_INT_EQ(write_layer(layer, 40, 1 * MIB), 0);
	struct layer_limits limits = layer_limits_default;
	limits.max_bytes = 32 * MIB;
	struct error err = { 0 };
	ASSERT_INT_EQ(unpack(layer, dest, &limits, &err), -EFBIG);
	ASSERT_CONTAINS(err.message, "more than 33554432 bytes");
	/* Within the limit, the same layer unpacks. */
	limits.max_bytes = 40 * MIB;
	char dest2[PATH_MAX];
	snprintf(dest2, sizeof(dest2), "%s/out2", test_tmpdir());
	ASSERT_INT_EQ(unpack(layer, dest2, &limits, &err), 0);
}

TEST(image_limits_entry_flood_is_stopped)
{
	char layer[PATH_MAX], dest[PATH_MAX];
	snprintf(layer, sizeof(layer), "%s/flood.tar.gz", test_tmpdir());
	snprintf(dest, sizeof(dest), "%s/out", test_tmpdir());
	ASSERT_INT_EQ(write_layer(layer, 2000, 0), 0);
	struct layer_limits limits = layer_limits_default;
	limits.max_entries = 1000;
	struct error err = { 0 };
	ASSERT_INT_EQ(unpack(layer, dest, &limits, &err), -EFBIG);
	ASSERT_CONTAINS(err.message, "the layer has more than 1000 entries");
}

/* A layer that would leave its file system with less than the free share it must keep. */
TEST(image_limits_nearly_full_file_system_is_not_filled)
{
	if (unshare(CLONE_NEWNS) < 0 || mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) < 0) {
		test_skip("no mount namespace: %s", strerror(errno));
		return;
	}
	char small[PATH_MAX], layer[PATH_MAX], dest[PATH_MAX + 8];
	snprintf(small, sizeof(small), "%s/small", test_tmpdir());
	snprintf(layer, sizeof(layer), "%s/big.tar.gz", test_tmpdir());
	snprintf(dest, sizeof(dest), "%s/out", small);
	ASSERT_INT_EQ(mkdir(small, 0755), 0);
	ASSERT_INT_EQ(mount("tmpfs", small, "tmpfs", 0, "size=16m"), 0);
	/* 12 MiB into 16 MiB that must keep half free: stopped once 8 MiB are gone. */
	ASSERT_INT_EQ(write_layer(layer, 12, 1 * MIB), 0);
	struct layer_limits limits = layer_limits_default;
	limits.min_free_percent = 50;
	struct error err = { 0 };
	int r = unpack(layer, dest, &limits, &err);
	umount2(small, MNT_DETACH);
	ASSERT_INT_EQ(r, -ENOSPC);
	ASSERT_CONTAINS(err.message, "the layer store's file system is nearly full");
	ASSERT_CONTAINS(err.message, small); /* where: the folder it unpacked into */
}
