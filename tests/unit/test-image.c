/* image_pull against real OCI layouts: one built by scripts/make-busybox-image.sh, and small
 * ones built here with libarchive's writer to probe whiteouts and hostile layers. */
#include "tests/unit/test.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pthread.h>
#include <sched.h>
#include <stdlib.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/wait.h>
#include <sys/xattr.h>
#include <unistd.h>

#include <archive.h>
#include <archive_entry.h>

#include "common/cleanup.h"
#include "common/fileio.h"
#include "image/digest.h"
#include "image/image.h"
#include "image/image_gc.h"
#include "image/image_worker.h"
#include "image/image_source.h"
#include "image/oci_json.h"

/* ---- building layouts ---- */

struct tar_entry {
	const char *name;
	char type;          /* 'f' file, 'd' folder, 'l' symlink, 'h' hard link */
	const char *target; /* file content, or link target */
};

/* A layout source needs no settings; a pull needs only its store here, and asks the source
 * every time (the fall-back to an image pulled before has tests of its own). */
static const struct image_pull_options no_store = { .store_dir = NULL };

static int pull_into(const char *store, const char *reference, struct image **ret,
		     struct error *err)
{
	struct image_pull_options o = { .store_dir = store, .behavior = IMAGE_PULL_ALWAYS };
	return image_pull(&o, reference, ret, err);
}

static void path_join(char out[PATH_MAX], const char *a, const char *b)
{
	snprintf(out, PATH_MAX, "%s/%s", a, b);
}

/* Store data as a blob of the layout; fills "sha256:<hex>". */
static int put_blob(const char *layout, const void *data, size_t size, char digest[72])
{
	char hex[SHA256_HEX_LEN + 1], dir[PATH_MAX], path[PATH_MAX];
	if (sha256_hex(data, size, hex) < 0)
		return -EIO;
	snprintf(dir, sizeof(dir), "%s/blobs/sha256", layout);
	if (mkdir_parents(dir, 0755) < 0)
		return -EIO;
	path_join(path, dir, hex);
	snprintf(digest, 72, "sha256:%s", hex);
	return write_file_atomic(path, data, size, 0644);
}

/* Layer i of a layout is compressed as compressions[i % 3]. */
static const char *const compressions[] = { "+gzip", "", "+zstd" };

/* A tar of entries, in memory, compressed as named by compression. */
static size_t make_tar(const struct tar_entry *entries, size_t n, const char *compression, char *buf,
		       size_t cap)
{
	struct archive *a = archive_write_new();
	archive_write_set_format_pax_restricted(a);
	if (!strcmp(compression, "+gzip"))
		archive_write_add_filter_gzip(a);
	else if (!strcmp(compression, "+zstd"))
		archive_write_add_filter_zstd(a);
	size_t used = 0;
	archive_write_open_memory(a, buf, cap, &used);
	for (size_t i = 0; i < n; i++) {
		struct archive_entry *e = archive_entry_new();
		archive_entry_set_pathname(e, entries[i].name);
		archive_entry_set_uid(e, 0);
		archive_entry_set_gid(e, 0);
		switch (entries[i].type) {
		case 'd':
			archive_entry_set_filetype(e, AE_IFDIR);
			archive_entry_set_perm(e, 0755);
			break;
		case 'l':
			archive_entry_set_filetype(e, AE_IFLNK);
			archive_entry_set_perm(e, 0777);
			archive_entry_set_symlink(e, entries[i].target);
			break;
		case 'h':
			archive_entry_set_filetype(e, AE_IFREG);
			archive_entry_set_perm(e, 0644);
			archive_entry_set_hardlink(e, entries[i].target);
			break;
		default:
			archive_entry_set_filetype(e, AE_IFREG);
			archive_entry_set_perm(e, 0644);
			archive_entry_set_size(e, (la_int64_t)strlen(entries[i].target));
		}
		archive_write_header(a, e);
		if (entries[i].type == 'f')
			archive_write_data(a, entries[i].target, strlen(entries[i].target));
		archive_entry_free(e);
	}
	archive_write_close(a);
	archive_write_free(a);
	return used;
}

/* The config of every layout built here. */
#define TEST_CONFIG                                                                    \
	"{\"os\":\"linux\",\"config\":{\"Entrypoint\":[\"/bin/app\"],\"Cmd\":[\"-v\"],"     \
	"\"Env\":[\"A=1\"],\"WorkingDir\":\"/w\",\"User\":\"65534\"}}"

struct layer_spec {
	const struct tar_entry *entries;
	size_t n;
};

/* Write a whole layout (oci-layout, index.json tagged "latest", manifest, config, layers). */
static int make_layout(const char *layout, const struct layer_spec *layers, size_t n_layers)
{
	static char tar[1 << 16];
	char manifest[8192], layer_list[4096] = "", digest[72], config_digest[72];
	const char *config = TEST_CONFIG;
	if (mkdir_parents(layout, 0755) < 0 || put_blob(layout, config, strlen(config), config_digest) < 0)
		return -EIO;
	for (size_t i = 0; i < n_layers; i++) {
		size_t size = make_tar(layers[i].entries, layers[i].n, compressions[i % 3], tar,
				       sizeof(tar));
		if (put_blob(layout, tar, size, digest) < 0)
			return -EIO;
		size_t len = strlen(layer_list);
		snprintf(layer_list + len, sizeof(layer_list) - len,
			 "%s{\"mediaType\":\"application/vnd.oci.image.layer.v1.tar%s\","
			 "\"digest\":\"%s\",\"size\":%zu}",
			 i ? "," : "", compressions[i % 3], digest, size);
	}
	snprintf(manifest, sizeof(manifest),
		 "{\"schemaVersion\":2,\"mediaType\":\"application/vnd.oci.image.manifest.v1+json\","
		 "\"config\":{\"mediaType\":\"application/vnd.oci.image.config.v1+json\","
		 "\"digest\":\"%s\",\"size\":%zu},\"layers\":[%s]}",
		 config_digest, strlen(config), layer_list);
	if (put_blob(layout, manifest, strlen(manifest), digest) < 0)
		return -EIO;
	char index[1024], path[PATH_MAX];
	snprintf(index, sizeof(index),
		 "{\"schemaVersion\":2,\"manifests\":[{\"mediaType\":"
		 "\"application/vnd.oci.image.manifest.v1+json\",\"digest\":\"%s\",\"size\":%zu,"
		 "\"annotations\":{\"org.opencontainers.image.ref.name\":\"latest\"}}]}",
		 digest, strlen(manifest));
	path_join(path, layout, "index.json");
	if (write_file_atomic(path, index, strlen(index), 0644) < 0)
		return -EIO;
	path_join(path, layout, "oci-layout");
	const char *marker = "{\"imageLayoutVersion\":\"1.0.0\"}";
	return write_file_atomic(path, marker, strlen(marker), 0644);
}

/* Build the busybox layout with the project's script; false when it cannot run here. */
static bool make_busybox_layout(const char *layout)
{
	char cmd[PATH_MAX + 64];
	if (access("scripts/make-busybox-image.sh", X_OK) < 0 || access("/bin/busybox", X_OK) < 0)
		return false;
	snprintf(cmd, sizeof(cmd), "scripts/make-busybox-image.sh '%s' >/dev/null", layout);
	return system(cmd) == 0;
}

/* Paths of a busybox layout and a store in the test's folder; skips the test and returns
 * false when the layout cannot be built here. */
static bool busybox_setup(char layout[PATH_MAX], char store[PATH_MAX])
{
	path_join(layout, test_tmpdir(), "busybox");
	path_join(store, test_tmpdir(), "store");
	if (make_busybox_layout(layout))
		return true;
	test_skip("busybox-static or the image script is not available");
	return false;
}

static char *oci_ref(const char *layout, const char *tag)
{
	static char ref[PATH_MAX + 64];
	snprintf(ref, sizeof(ref), "oci:%s%s%s", layout, tag ? ":" : "", tag ? tag : "");
	return ref;
}

/* Number of entries in a folder other than "." and "..". */
static int count_entries(const char *dir)
{
	_cleanup_closedir_ DIR *d = opendir(dir);
	if (!d)
		return -1;
	int n = 0;
	struct dirent *de;
	while ((de = readdir(d)))
		n += strcmp(de->d_name, ".") && strcmp(de->d_name, "..");
	return n;
}

/* The path of the single layer blob in a layout with one layer, by its layer digest. */
static void layer_blob_path(const struct image *img, char out[PATH_MAX], const char *layout)
{
	const char *hex = strrchr(img->layers[0], '/') + 1;
	snprintf(out, PATH_MAX, "%s/blobs/sha256/%s", layout, hex);
}

/* Size of the manifest blob of a pulled image. */
static off_t manifest_size(const char *layout, const struct image *img)
{
	char path[PATH_MAX + 128];
	struct stat st;
	snprintf(path, sizeof(path), "%s/blobs/sha256/%s", layout, img->manifest_digest + 7);
	return stat(path, &st) < 0 ? -1 : st.st_size;
}

/* A one-file, one-layer layout and a store path in the test's folder. */
static int tiny_setup(char layout[PATH_MAX], char store[PATH_MAX])
{
	static const struct tar_entry files[] = { { "hello", 'f', "hi\n" } };
	path_join(layout, test_tmpdir(), "tiny");
	path_join(store, test_tmpdir(), "store");
	return make_layout(layout, &(struct layer_spec){ files, 1 }, 1);
}

/* Pull, failing the test with the error's message when the pull fails. */
#define ASSERT_PULL_OK(store, ref, ret_img)                                          \
	do {                                                                           \
		struct error e_ = { 0 };                                               \
		if (pull_into(store, ref, ret_img, &e_) < 0) {                        \
			test_fail_at(__FILE__, __LINE__, "pull: %s", e_.message);      \
			return;                                                        \
		}                                                                      \
	} while (0)

/* ---- tests ---- */

TEST(busybox_layout_pulls_and_unpacks)
{
	char layout[PATH_MAX], store[PATH_MAX], path[PATH_MAX];
	if (!busybox_setup(layout, store))
		return;
	_cleanup_(image_freep) struct image *img = NULL;
	ASSERT_PULL_OK(store, oci_ref(layout, NULL), &img);
	ASSERT_INT_EQ(img->n_layers, 1);
	ASSERT_TRUE(!strncmp(img->manifest_digest, "sha256:", 7));
	ASSERT_TRUE(img->config.cmd && img->config.cmd[0] && !img->config.cmd[1]);
	ASSERT_STR_EQ(img->config.cmd[0], "sh");
	ASSERT_TRUE(img->config.env && !strncmp(img->config.env[0], "PATH=", 5));
	ASSERT_TRUE(img->config.entrypoint == NULL);
	ASSERT_TRUE(strstr(img->layers[0], "/layers/sha256/") != NULL);

	struct stat st;
	path_join(path, img->layers[0], "bin/busybox");
	ASSERT_INT_EQ(stat(path, &st), 0);
	ASSERT_TRUE(S_ISREG(st.st_mode) && (st.st_mode & 0111));
	path_join(path, img->layers[0], "bin/sh");
	ASSERT_INT_EQ(lstat(path, &st), 0);
	ASSERT_TRUE(S_ISLNK(st.st_mode));
	path_join(path, img->layers[0], "tmp");
	ASSERT_INT_EQ(stat(path, &st), 0);
	ASSERT_INT_EQ(st.st_mode & 07777, 01777);
	path_join(path, img->layers[0], "etc/passwd");
	_cleanup_free_ char *passwd = NULL;
	ASSERT_INT_EQ(read_file_full(path, 4096, &passwd, NULL), 0);
	ASSERT_CONTAINS(passwd, "nobody:x:65534:65534:");
}

TEST(second_pull_reuses_unpacked_layer)
{
	char layout[PATH_MAX], store[PATH_MAX], blob[PATH_MAX];
	if (!busybox_setup(layout, store))
		return;
	_cleanup_(image_freep) struct image *first = NULL;
	_cleanup_(image_freep) struct image *second = NULL;
	struct error err = { 0 };
	ASSERT_INT_EQ(pull_into(store, oci_ref(layout, "latest"), &first, &err), 0);
	struct stat before, after;
	ASSERT_INT_EQ(stat(first->layers[0], &before), 0);
	/* With the layer blob gone, only the unpacked copy can satisfy the second pull. */
	layer_blob_path(first, blob, layout);
	ASSERT_INT_EQ(unlink(blob), 0);
	ASSERT_INT_EQ(pull_into(store, oci_ref(layout, "latest"), &second, &err), 0);
	ASSERT_STR_EQ(second->layers[0], first->layers[0]);
	ASSERT_INT_EQ(stat(second->layers[0], &after), 0);
	ASSERT_INT_EQ(after.st_ino, before.st_ino);
}

TEST(layer_digest_mismatch_is_refused)
{
	char layout[PATH_MAX], store[PATH_MAX], blob[PATH_MAX], layers[PATH_MAX];
	if (!busybox_setup(layout, store))
		return;
	/* Find the layer blob through a first pull into a throwaway store. */
	char scratch[PATH_MAX];
	path_join(scratch, test_tmpdir(), "scratch");
	_cleanup_(image_freep) struct image *img = NULL;
	struct error err = { 0 };
	ASSERT_INT_EQ(pull_into(scratch, oci_ref(layout, NULL), &img, &err), 0);
	layer_blob_path(img, blob, layout);

	/* Flip one byte near the end of the gzip stream (its CRC trailer): same size. */
	_cleanup_close_ int fd = open(blob, O_RDWR | O_CLOEXEC);
	ASSERT_TRUE(fd >= 0);
	off_t end = lseek(fd, 0, SEEK_END);
	unsigned char c;
	ASSERT_INT_EQ(pread(fd, &c, 1, end - 6), 1);
	c ^= 0x01;
	ASSERT_INT_EQ(pwrite(fd, &c, 1, end - 6), 1);

	_cleanup_(image_freep) struct image *bad = NULL;
	int r = pull_into(store, oci_ref(layout, NULL), &bad, &err);
	ASSERT_TRUE(r < 0);
	ASSERT_TRUE(bad == NULL);
	ASSERT_CONTAINS(err.message, "digest mismatch");
	ASSERT_CONTAINS(err.message, strrchr(blob, '/') + 1);
	path_join(layers, store, "layers/sha256");
	ASSERT_INT_EQ(count_entries(layers), 0);
}

TEST(config_digest_mismatch_is_refused)
{
	char layout[PATH_MAX], store[PATH_MAX];
	ASSERT_INT_EQ(tiny_setup(layout, store), 0);
	/* Rewrite the config blob in place with other content of the same size. */
	const char *config = TEST_CONFIG;
	char hex[SHA256_HEX_LEN + 1], path[PATH_MAX + 128];
	ASSERT_INT_EQ(sha256_hex(config, strlen(config), hex), 0);
	snprintf(path, sizeof(path), "%s/blobs/sha256/%s", layout, hex);
	_cleanup_free_ char *evil = strdup(config);
	evil[strlen(evil) - 4] = '0'; /* "65534" -> "65034"-like: still the same size */
	ASSERT_INT_EQ(write_file_atomic(path, evil, strlen(evil), 0644), 0);

	_cleanup_(image_freep) struct image *img = NULL;
	struct error err = { 0 };
	ASSERT_TRUE(pull_into(store, oci_ref(layout, NULL), &img, &err) < 0);
	ASSERT_CONTAINS(err.message, "digest mismatch");
	ASSERT_CONTAINS(err.message, hex);
}

TEST(unknown_tag_and_bad_index_are_refused)
{
	char layout[PATH_MAX], store[PATH_MAX];
	ASSERT_INT_EQ(tiny_setup(layout, store), 0);

	_cleanup_(image_freep) struct image *img = NULL;
	struct error err = { 0 };
	ASSERT_INT_EQ(pull_into(store, oci_ref(layout, "v9"), &img, &err), -ENOENT);
	ASSERT_CONTAINS(err.message, "no manifest is tagged \"v9\"");
	ASSERT_CONTAINS(err.message, "index.json");

	/* A tiny, valid pull first: config and entrypoint come through. */
	ASSERT_INT_EQ(pull_into(store, oci_ref(layout, NULL), &img, &err), 0);
	ASSERT_STR_EQ(img->config.entrypoint[0], "/bin/app");
	ASSERT_STR_EQ(img->config.working_dir, "/w");
	ASSERT_STR_EQ(img->config.user, "65534");

	char path[PATH_MAX];
	path_join(path, layout, "index.json");
	ASSERT_INT_EQ(write_file_atomic(path, "{not json", 9, 0644), 0);
	image_freep(&img);
	img = NULL;
	ASSERT_TRUE(pull_into(store, oci_ref(layout, NULL), &img, &err) < 0);
	ASSERT_CONTAINS(err.message, "index.json: not valid JSON");
}

TEST(missing_or_short_layer_blob_is_refused)
{
	char layout[PATH_MAX], store[PATH_MAX], blob[PATH_MAX], scratch[PATH_MAX];
	ASSERT_INT_EQ(tiny_setup(layout, store), 0);
	path_join(scratch, test_tmpdir(), "scratch");
	_cleanup_(image_freep) struct image *img = NULL;
	ASSERT_PULL_OK(scratch, oci_ref(layout, NULL), &img);
	layer_blob_path(img, blob, layout);
	const char *hex = strrchr(blob, '/') + 1;

	struct error err = { 0 };
	_cleanup_(image_freep) struct image *bad = NULL;
	ASSERT_INT_EQ(truncate(blob, 20), 0);
	ASSERT_INT_EQ(pull_into(store, oci_ref(layout, NULL), &bad, &err), -EBADMSG);
	ASSERT_CONTAINS(err.message, "size 20, descriptor says");
	ASSERT_CONTAINS(err.message, hex);
	ASSERT_INT_EQ(unlink(blob), 0);
	ASSERT_INT_EQ(pull_into(store, oci_ref(layout, NULL), &bad, &err), -ENOENT);
	ASSERT_CONTAINS(err.message, "is missing");
	ASSERT_CONTAINS(err.message, hex);
}

TEST(malformed_registry_references_are_refused_before_any_request)
{
	_cleanup_(image_freep) struct image *img = NULL;
	struct error err = { 0 };
	const char *refs[] = { "Busybox:latest", "ftp://host/image", "busybox:", "a//b", "x@sha1:00" };
	for (size_t i = 0; i < ELEMENTSOF(refs); i++) {
		ASSERT_INT_EQ(pull_into(test_tmpdir(), refs[i], &img, &err), -EINVAL);
		ASSERT_CONTAINS(err.message, "image \"");
	}
}

TEST(the_registry_source_takes_what_no_other_source_takes)
{
	size_t n = 0;
	while (image_sources[n])
		n++;
	ASSERT_TRUE(n >= 2);
	ASSERT_TRUE(image_sources[n - 1] == &image_source_registry);
	ASSERT_STR_EQ(image_source_registry.scheme, "");
}

TEST(an_oci_reference_opens_the_layout_source)
{
	char layout[PATH_MAX];
	path_join(layout, test_tmpdir(), "no-such-layout");
	struct image_origin origin = { 0 };
	struct error err = { 0 };
	ASSERT_TRUE(image_origin_open(oci_ref(layout, NULL), &no_store, &origin, &err) < 0);
	ASSERT_CONTAINS(err.message, "pull oci:");
	ASSERT_INT_EQ(image_origin_open("oci:", &no_store, &origin, &err), -EINVAL);
	ASSERT_CONTAINS(err.message, "no layout path");
}

/* Three layers: files, then whiteouts of some of them and an opaque folder, then a
 * zstd-compressed top layer. */
static int make_whiteout_layout(const char *layout)
{
	static const struct tar_entry lower[] = {
		{ "a/", 'd', NULL }, { "a/gone", 'f', "x" }, { "a/kept", 'f', "y" },
		{ "d/", 'd', NULL }, { "d/old", 'f', "z" },
	};
	static const struct tar_entry upper[] = {
		{ "a/.wh.gone", 'f', "" }, { "d/", 'd', NULL }, { "d/.wh..wh..opq", 'f', "" },
		{ "d/new", 'f', "n" }, { "e/.wh..wh..opq", 'f', "" },
	};
	static const struct tar_entry top[] = { { "top", 'f', "t" } };
	const struct layer_spec layers[] = {
		{ lower, ELEMENTSOF(lower) }, { upper, ELEMENTSOF(upper) }, { top, 1 },
	};
	return make_layout(layout, layers, 3);
}

TEST(whiteouts_become_overlayfs_whiteouts)
{
	char layout[PATH_MAX], store[PATH_MAX], path[PATH_MAX];
	path_join(layout, test_tmpdir(), "two");
	path_join(store, test_tmpdir(), "store");
	ASSERT_INT_EQ(make_whiteout_layout(layout), 0);
	_cleanup_(image_freep) struct image *img = NULL;
	ASSERT_PULL_OK(store, oci_ref(layout, NULL), &img);
	ASSERT_INT_EQ(img->n_layers, 3);

	struct stat st;
	path_join(path, img->layers[1], "a/gone");
	ASSERT_INT_EQ(lstat(path, &st), 0);
	ASSERT_TRUE(S_ISCHR(st.st_mode));
	ASSERT_INT_EQ(st.st_rdev, makedev(0, 0));
	path_join(path, img->layers[1], "a/.wh.gone");
	ASSERT_TRUE(lstat(path, &st) < 0 && errno == ENOENT);
	path_join(path, img->layers[1], "d/.wh..wh..opq");
	ASSERT_TRUE(lstat(path, &st) < 0 && errno == ENOENT);
	const char *dirs[] = { "d", "e" };
	for (size_t i = 0; i < ELEMENTSOF(dirs); i++) {
		char value[8] = "";
		path_join(path, img->layers[1], dirs[i]);
		ASSERT_INT_EQ(lgetxattr(path, "trusted.overlay.opaque", value, sizeof(value)), 1);
		ASSERT_INT_EQ(value[0], 'y');
	}
	path_join(path, img->layers[1], "d/new");
	ASSERT_INT_EQ(lstat(path, &st), 0);
	path_join(path, img->layers[0], "a/gone");
	ASSERT_INT_EQ(lstat(path, &st), 0);
	ASSERT_TRUE(S_ISREG(st.st_mode));
	/* The third layer is zstd-compressed. */
	path_join(path, img->layers[2], "top");
	ASSERT_INT_EQ(lstat(path, &st), 0);
}

/* Pull a one-layer image made of entries; the store lives in test_tmpdir()/nest/store so
 * that anything escaping would land in test_tmpdir()/nest or test_tmpdir(). */
static int pull_hostile(const struct tar_entry *entries, size_t n, struct error *err)
{
	char layout[PATH_MAX], store[PATH_MAX];
	path_join(layout, test_tmpdir(), "layout");
	path_join(store, test_tmpdir(), "nest/store");
	remove_tree(layout);
	if (make_layout(layout, &(struct layer_spec){ entries, n }, 1) < 0)
		return -EIO;
	struct image *img = NULL;
	int r = pull_into(store, oci_ref(layout, NULL), &img, err);
	image_free(img);
	return r;
}

TEST(escaping_entries_are_refused_or_contained)
{
	char outside[PATH_MAX], abs_name[PATH_MAX], nest[PATH_MAX], path[PATH_MAX];
	path_join(outside, test_tmpdir(), "outside");
	path_join(nest, test_tmpdir(), "nest");
	ASSERT_INT_EQ(mkdir(outside, 0755), 0);
	path_join(abs_name, outside, "absolute");
	char link_up[PATH_MAX];
	snprintf(link_up, sizeof(link_up), "%s", outside);

	const struct tar_entry dotdot[] = { { "../escape", 'f', "x" } };
	const struct tar_entry deep_dotdot[] = { { "a/../../../../escape", 'f', "x" } };
	const struct tar_entry absolute[] = { { abs_name, 'f', "x" } };
	const struct tar_entry through_symlink[] = {
		{ "link", 'l', link_up }, { "link/planted", 'f', "x" },
	};
	const struct tar_entry through_relative_symlink[] = {
		{ "up", 'l', "../../../.." }, { "up/planted", 'f', "x" },
	};
	const struct tar_entry hardlink_out[] = { { "hl", 'h', "/etc/passwd" } };
	const struct tar_entry hardlink_up[] = { { "hl", 'h', "../../../../etc/passwd" } };
	const struct tar_entry hardlink_via_symlink[] = {
		{ "etc", 'l', "/etc" }, { "hl", 'h', "etc/passwd" },
	};
	const struct tar_entry whiteout_via_symlink[] = {
		{ "link", 'l', link_up }, { "link/.wh.victim", 'f', "" },
	};
	struct { const char *name; const struct tar_entry *e; size_t n; } cases[] = {
		{ "dotdot", dotdot, 1 },
		{ "deep dotdot", deep_dotdot, 1 },
		{ "absolute", absolute, 1 },
		{ "through symlink", through_symlink, 2 },
		{ "through relative symlink", through_relative_symlink, 2 },
		{ "hard link outside", hardlink_out, 1 },
		{ "hard link up", hardlink_up, 1 },
		{ "hard link via symlink", hardlink_via_symlink, 2 },
		{ "whiteout via symlink", whiteout_via_symlink, 2 },
	};
	for (size_t i = 0; i < ELEMENTSOF(cases); i++) {
		struct error err = { 0 };
		int r = pull_hostile(cases[i].e, cases[i].n, &err);
		if (r == 0)
			test_fail_at(__FILE__, __LINE__, "case %s was accepted", cases[i].name);
		ASSERT_TRUE(r < 0);
		/* Nothing outside the store: the outside folder stays empty, and the store's
		 * parent holds only the store. */
		ASSERT_INT_EQ(count_entries(outside), 0);
		ASSERT_INT_EQ(count_entries(nest), 1);
		path_join(path, test_tmpdir(), "escape");
		ASSERT_TRUE(access(path, F_OK) < 0);
		path_join(path, test_tmpdir(), "planted");
		ASSERT_TRUE(access(path, F_OK) < 0);
		/* No half-unpacked layer is left behind either. */
		path_join(path, nest, "store/layers/sha256");
		ASSERT_INT_EQ(count_entries(path), 0);
	}
	struct stat st;
	ASSERT_INT_EQ(stat("/etc/passwd", &st), 0);
	ASSERT_INT_EQ(st.st_nlink, 1);
}

TEST(hard_links_within_the_layer_work)
{
	char layout[PATH_MAX], store[PATH_MAX], a[PATH_MAX], b[PATH_MAX];
	path_join(layout, test_tmpdir(), "links");
	path_join(store, test_tmpdir(), "store");
	const struct tar_entry files[] = {
		{ "./bin/", 'd', NULL }, { "./bin/tool", 'f', "t" }, { "./bin/alias", 'h', "./bin/tool" },
	};
	ASSERT_INT_EQ(make_layout(layout, &(struct layer_spec){ files, 3 }, 1), 0);
	_cleanup_(image_freep) struct image *img = NULL;
	ASSERT_PULL_OK(store, oci_ref(layout, NULL), &img);
	struct stat sa, sb;
	path_join(a, img->layers[0], "bin/tool");
	path_join(b, img->layers[0], "bin/alias");
	ASSERT_INT_EQ(stat(a, &sa), 0);
	ASSERT_INT_EQ(stat(b, &sb), 0);
	ASSERT_INT_EQ(sa.st_ino, sb.st_ino);
}

struct pull_job {
	const char *store;
	const char *ref;
	int result;
	char layer[PATH_MAX];
	struct error err;
};

static void *pull_thread(void *data)
{
	struct pull_job *job = data;
	struct image *img = NULL;
	job->result = pull_into(job->store, job->ref, &img, &job->err);
	if (job->result == 0)
		snprintf(job->layer, sizeof(job->layer), "%s", img->layers[0]);
	image_free(img);
	return NULL;
}

TEST(concurrent_pulls_of_one_image_both_succeed)
{
	char layout[PATH_MAX], store[PATH_MAX], layers[PATH_MAX];
	if (!busybox_setup(layout, store))
		return;
	char *ref = oci_ref(layout, NULL);
	struct pull_job jobs[2] = { { .store = store, .ref = ref }, { .store = store, .ref = ref } };
	pthread_t threads[2];
	for (int i = 0; i < 2; i++)
		ASSERT_INT_EQ(pthread_create(&threads[i], NULL, pull_thread, &jobs[i]), 0);
	for (int i = 0; i < 2; i++)
		pthread_join(threads[i], NULL);
	for (int i = 0; i < 2; i++) {
		if (jobs[i].result < 0)
			test_fail_at(__FILE__, __LINE__, "pull %d: %s", i, jobs[i].err.message);
		ASSERT_INT_EQ(jobs[i].result, 0);
	}
	ASSERT_STR_EQ(jobs[0].layer, jobs[1].layer);
	/* Exactly one layer folder, no temporary copies left. */
	path_join(layers, store, "layers/sha256");
	ASSERT_INT_EQ(count_entries(layers), 1);
	char busybox[PATH_MAX];
	path_join(busybox, jobs[0].layer, "bin/busybox");
	ASSERT_INT_EQ(access(busybox, X_OK), 0);
}

TEST(tag_on_a_nested_index_follows_the_host_platform)
{
	char layout[PATH_MAX], store[PATH_MAX], path[PATH_MAX];
	ASSERT_INT_EQ(tiny_setup(layout, store), 0);
	_cleanup_(image_freep) struct image *direct = NULL;
	ASSERT_PULL_OK(store, oci_ref(layout, NULL), &direct);

	/* index.json -> "multi" -> nested index -> {other arch, our arch} -> manifest. */
	char nested[2048], nested_digest[72], index[1024];
	snprintf(nested, sizeof(nested),
		 "{\"schemaVersion\":2,\"mediaType\":\"application/vnd.oci.image.index.v1+json\","
		 "\"manifests\":[{\"mediaType\":\"application/vnd.oci.image.manifest.v1+json\","
		 "\"digest\":\"sha256:%064d\",\"size\":1,\"platform\":{\"os\":\"linux\","
		 "\"architecture\":\"other\"}},"
		 "{\"mediaType\":\"application/vnd.oci.image.manifest.v1+json\",\"digest\":\"%s\","
		 "\"size\":%lld,\"platform\":{\"os\":\"linux\",\"architecture\":\"%s\"}}]}",
		 0, direct->manifest_digest, (long long)manifest_size(layout, direct),
		 oci_host_arch());
	ASSERT_INT_EQ(put_blob(layout, nested, strlen(nested), nested_digest), 0);
	snprintf(index, sizeof(index),
		 "{\"schemaVersion\":2,\"manifests\":[{\"mediaType\":"
		 "\"application/vnd.oci.image.index.v1+json\",\"digest\":\"%s\",\"size\":%zu,"
		 "\"annotations\":{\"org.opencontainers.image.ref.name\":\"multi\"}}]}",
		 nested_digest, strlen(nested));
	path_join(path, layout, "index.json");
	ASSERT_INT_EQ(write_file_atomic(path, index, strlen(index), 0644), 0);

	_cleanup_(image_freep) struct image *img = NULL;
	ASSERT_PULL_OK(store, oci_ref(layout, "multi"), &img);
	ASSERT_STR_EQ(img->manifest_digest, direct->manifest_digest);
	ASSERT_STR_EQ(img->layers[0], direct->layers[0]);
}

/* In a child with its own mount namespace: mount the layers as overlayfs and check what the
 * container would see. Exit status 0 ok, 1 wrong view, 2 overlayfs unavailable. */
static int overlay_view_check(const struct image *img, const char *merged)
{
	char options[3 * PATH_MAX + 32], path[PATH_MAX];
	snprintf(options, sizeof(options), "lowerdir=%s:%s:%s", img->layers[2], img->layers[1],
		 img->layers[0]);
	if (unshare(CLONE_NEWNS) < 0 || mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) < 0 ||
	    mount("overlay", merged, "overlay", MS_RDONLY, options) < 0)
		return 2;
	struct stat st;
	path_join(path, merged, "a/kept");
	if (stat(path, &st) < 0)
		return 1;
	const char *hidden[] = { "a/gone", "d/old" };
	for (size_t i = 0; i < ELEMENTSOF(hidden); i++) {
		path_join(path, merged, hidden[i]);
		if (lstat(path, &st) == 0 || errno != ENOENT)
			return 1;
	}
	path_join(path, merged, "d/new");
	return stat(path, &st) == 0 ? 0 : 1;
}

TEST(whiteouts_hide_lower_files_in_overlayfs)
{
	char layout[PATH_MAX], store[PATH_MAX], merged[PATH_MAX];
	path_join(layout, test_tmpdir(), "two");
	path_join(store, test_tmpdir(), "store");
	path_join(merged, test_tmpdir(), "merged");
	ASSERT_INT_EQ(make_whiteout_layout(layout), 0);
	ASSERT_INT_EQ(mkdir(merged, 0755), 0);
	_cleanup_(image_freep) struct image *img = NULL;
	ASSERT_PULL_OK(store, oci_ref(layout, NULL), &img);
	pid_t pid = fork();
	ASSERT_TRUE(pid >= 0);
	if (pid == 0)
		_exit(overlay_view_check(img, merged));
	int status = 0;
	ASSERT_INT_EQ(waitpid(pid, &status, 0), pid);
	ASSERT_TRUE(WIFEXITED(status));
	if (WEXITSTATUS(status) == 2) {
		test_skip("overlayfs cannot be mounted here");
		return;
	}
	ASSERT_INT_EQ(WEXITSTATUS(status), 0);
}

static int pull_with(enum image_pull_behavior behavior, const char *store, const char *reference,
		     struct image **ret, struct error *err)
{
	struct image_pull_options o = { .store_dir = store, .behavior = behavior };
	return image_pull(&o, reference, ret, err);
}

TEST(pull_behaviours_use_the_image_pulled_before_as_ecs_does)
{
	char layout[PATH_MAX], store[PATH_MAX], moved[PATH_MAX];
	ASSERT_INT_EQ(tiny_setup(layout, store), 0);
	const char *ref = oci_ref(layout, NULL);
	char reference[PATH_MAX];
	snprintf(reference, sizeof(reference), "%s", ref);
	struct error err = { 0 };
	struct image *first = NULL, *img = NULL;
	/* Nothing pulled yet: every behaviour asks the source. */
	ASSERT_INT_EQ(pull_with(IMAGE_PULL_PREFER_CACHED, store, reference, &first, &err), 0);

	/* The source gone (a registry out of reach). */
	path_join(moved, test_tmpdir(), "moved-away");
	ASSERT_INT_EQ(rename(layout, moved), 0);
	ASSERT_TRUE(pull_with(IMAGE_PULL_ALWAYS, store, reference, &img, &err) < 0);
	ASSERT_CONTAINS(err.message, "pull oci:");
	const enum image_pull_behavior cached[] = { IMAGE_PULL_DEFAULT, IMAGE_PULL_ONCE,
						    IMAGE_PULL_PREFER_CACHED };
	for (size_t i = 0; i < ELEMENTSOF(cached); i++) {
		ASSERT_INT_EQ(pull_with(cached[i], store, reference, &img, &err), 0);
		ASSERT_STR_EQ(img->manifest_digest, first->manifest_digest);
		ASSERT_INT_EQ(img->n_layers, first->n_layers);
		ASSERT_STR_EQ(img->layers[0], first->layers[0]);
		image_free(img);
		img = NULL;
	}
	/* A record whose layer left the store is no image: the source is asked again. */
	ASSERT_INT_EQ(remove_tree(first->layers[0]), 0);
	ASSERT_TRUE(pull_with(IMAGE_PULL_PREFER_CACHED, store, reference, &img, &err) < 0);
	ASSERT_INT_EQ(rename(moved, layout), 0);
	ASSERT_INT_EQ(pull_with(IMAGE_PULL_ONCE, store, reference, &img, &err), 0);
	ASSERT_STR_EQ(img->manifest_digest, first->manifest_digest);
	image_free(img);
	image_free(first);
}

TEST(pull_behaviour_names_are_ecs_ones)
{
	enum image_pull_behavior b;
	ASSERT_INT_EQ(image_pull_behavior_parse("prefer-cached", &b), 0);
	ASSERT_INT_EQ(b, IMAGE_PULL_PREFER_CACHED);
	ASSERT_INT_EQ(image_pull_behavior_parse("once", &b), 0);
	ASSERT_INT_EQ(b, IMAGE_PULL_ONCE);
	ASSERT_INT_EQ(image_pull_behavior_parse("always", &b), 0);
	ASSERT_INT_EQ(image_pull_behavior_parse("default", &b), 0);
	ASSERT_INT_EQ(b, IMAGE_PULL_DEFAULT);
	ASSERT_INT_EQ(image_pull_behavior_parse("Always", &b), -EINVAL);
	ASSERT_INT_EQ(image_pull_behavior_parse("", &b), -EINVAL);
}

/* A task's images stay in the store while its worker lives (a container may wait for its
 * dependsOn long after the pull), and may go once it is freed. */
TEST(worker_keeps_its_images_from_the_collector_until_freed)
{
	char layout[PATH_MAX], store[PATH_MAX];
	ASSERT_INT_EQ(tiny_setup(layout, store), 0);
	struct image_pull_options o = { .store_dir = store, .behavior = IMAGE_PULL_ALWAYS };
	char *refs[] = { oci_ref(layout, "latest"), NULL };
	struct image_worker *w = NULL;
	struct error err = { 0 };
	ASSERT_INT_EQ(image_worker_start(&o, refs, 1, NULL, NULL, &w, &err), 0);
	for (int i = 0; i < 1000 && !image_worker_done(w); i++)
		usleep(10000);
	struct image **images;
	const struct error *perr;
	ASSERT_INT_EQ(image_worker_result(w, &images, &perr), 0);
	char layer_dir[PATH_MAX];
	snprintf(layer_dir, sizeof(layer_dir), "%s", images[0]->layers[0]);
	/* A budget of one byte: the collector takes every image it may. */
	struct image_gc_policy policy = { .budget_bytes = 1 };
	(void)image_store_gc(store, &policy, NULL, 0, &err);
	ASSERT_TRUE(access(layer_dir, F_OK) == 0);
	image_worker_free(w);
	(void)image_store_gc(store, &policy, NULL, 0, &err);
	ASSERT_TRUE(access(layer_dir, F_OK) < 0);
}
