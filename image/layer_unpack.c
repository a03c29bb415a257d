#include "image/layer_unpack.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <unistd.h>

#include "common/cleanup.h"
#include "image/archive_dl.h"
#include "image/layer_whiteout.h"

#define READ_CHUNK (128u << 10)
/* File data written between two looks at the file system's free space: at most this, and at
 * most half the space that must stay free, so that no write overshoots it by much. */
#define FREE_SPACE_CHECK_MAX_BYTES (64ULL << 20)

const struct layer_limits layer_limits_default = {
	.max_bytes = LAYER_MAX_BYTES_DEFAULT,
	.max_entries = LAYER_MAX_ENTRIES_DEFAULT,
	.min_free_percent = LAYER_MIN_FREE_PERCENT_DEFAULT,
};

/* What the layer has put on disk so far, against its limits. */
struct unpack_budget {
	const struct layer_limits *limits;
	int root_fd;
	const char *dest_dir; /* named when its file system fills up */
	uint64_t bytes, entries, bytes_at_last_check, check_every;
};

/* Feeds libarchive from fd and hashes every byte on the way, so the blob is read once. */
struct hashing_reader {
	int fd;
	struct sha256_stream *hash;
	uint64_t total;
	int error; /* -errno of a failed read or hash update */
	unsigned char buf[READ_CHUNK];
};

static ssize_t hashing_read(struct hashing_reader *hr)
{
	ssize_t n;
	do
		n = read(hr->fd, hr->buf, sizeof(hr->buf));
	while (n < 0 && errno == EINTR);
	if (n < 0) {
		hr->error = -errno;
		return -1;
	}
	if (n > 0 && hr->hash && sha256_stream_update(hr->hash, hr->buf, (size_t)n) < 0) {
		hr->error = -EIO;
		return -1;
	}
	hr->total += (uint64_t)n;
	return n;
}

static la_ssize_t archive_read_cb(struct archive *a, void *data, const void **buf)
{
	struct hashing_reader *hr = data;
	ssize_t n = hashing_read(hr);
	if (n < 0) {
		sym_archive_set_error(a, -hr->error, "read failed");
		return -1;
	}
	*buf = hr->buf;
	return n;
}

static void archive_read_freep(struct archive **a)
{
	if (*a)
		sym_archive_read_free(*a);
}

static void archive_write_freep(struct archive **a)
{
	if (*a)
		sym_archive_write_free(*a);
}

/* Normalize an entry name into out: drop "." parts and repeated slashes; refuse absolute
 * names and "..". An empty result is the layer's root folder. */
static int normalize_entry_name(const char *name, char out[PATH_MAX])
{
	if (name[0] == '/')
		return -EPERM;
	size_t len = 0;
	const char *p = name;
	while (*p) {
		while (*p == '/')
			p++;
		const char *end = strchrnul(p, '/');
		size_t part = (size_t)(end - p);
		if (part == 2 && !strncmp(p, "..", 2))
			return -EPERM;
		if (part > 0 && !(part == 1 && p[0] == '.')) {
			if (len + part + 2 > PATH_MAX)
				return -ENAMETOOLONG;
			if (len)
				out[len++] = '/';
			memcpy(out + len, p, part);
			len += part;
		}
		p = end;
	}
	out[len] = '\0';
	return 0;
}

/* overlayfs reads trusted.overlay.* as instructions (opaque, redirect, metacopy): a layer
 * must not plant them; only the whiteout conversion sets one. */
static void drop_overlay_xattrs(struct archive_entry *entry)
{
	const char *name;
	const void *value;
	size_t size;
	bool found = false;
	sym_archive_entry_xattr_reset(entry);
	while (sym_archive_entry_xattr_next(entry, &name, &value, &size) == ARCHIVE_OK)
		found |= !strncmp(name, "trusted.overlay.", 16);
	if (!found)
		return;
	struct archive_entry *copy = sym_archive_entry_clone(entry);
	if (!copy)
		return;
	sym_archive_entry_xattr_clear(entry);
	sym_archive_entry_xattr_reset(copy);
	while (sym_archive_entry_xattr_next(copy, &name, &value, &size) == ARCHIVE_OK)
		if (strncmp(name, "trusted.overlay.", 16) != 0)
			sym_archive_entry_xattr_add_entry(entry, name, value, size);
	sym_archive_entry_free(copy);
}

/* dest + "/" + rel into out, or -ENAMETOOLONG. */
static int join_path(const char *dest, size_t dest_len, const char *rel, char out[PATH_MAX])
{
	size_t rel_len = strlen(rel);
	if (dest_len + 1 + rel_len >= PATH_MAX)
		return -ENAMETOOLONG;
	memcpy(out, dest, dest_len);
	out[dest_len] = '/';
	memcpy(out + dest_len + 1, rel, rel_len + 1);
	return 0;
}

/* A hard link's target must be an entry of this layer reached without symlinks. */
static int check_hardlink_target(int root_fd, const char *target)
{
	const char *slash = strrchr(target, '/');
	char parent[PATH_MAX] = "";
	if (slash) {
		memcpy(parent, target, (size_t)(slash - target));
		parent[slash - target] = '\0';
	}
	_cleanup_close_ int dir_fd = open_dir_beneath(root_fd, parent, false);
	if (dir_fd < 0)
		return dir_fd;
	struct stat st;
	if (fstatat(dir_fd, slash ? slash + 1 : target, &st, AT_SYMLINK_NOFOLLOW) < 0)
		return -errno;
	return S_ISDIR(st.st_mode) ? -EPERM : 0;
}

/* -ENOSPC when the file system holding the layer is short of space or inodes: less than
 * min_free_percent of its blocks (or less than 1 GiB, on a large disk, whichever is less) or of
 * its inodes free. */
static int check_free_space(struct unpack_budget *b, struct error *err)
{
	b->bytes_at_last_check = b->bytes;
	struct statvfs fs;
	if (fstatvfs(b->root_fd, &fs) < 0)
		return error_set_errno(err, errno, "free space of the layer store");
	uint64_t pct = b->limits->min_free_percent;
	uint64_t reserve = (uint64_t)fs.f_blocks * fs.f_frsize / 100 * pct;
	if (reserve > (1ULL << 30))
		reserve = 1ULL << 30;
	b->check_every = reserve / 2 < FREE_SPACE_CHECK_MAX_BYTES ? reserve / 2 + 1
								  : FREE_SPACE_CHECK_MAX_BYTES;
	if ((uint64_t)fs.f_bavail * fs.f_frsize < reserve ||
	    (fs.f_files && (uint64_t)fs.f_favail * 100 < (uint64_t)fs.f_files * pct))
		return error_set(err, ENOSPC,
				 "unpacking into %s stopped: the layer store's file system is nearly"
				 " full (%llu MiB and %llu inodes free)", b->dest_dir,
				 (unsigned long long)((uint64_t)fs.f_bavail * fs.f_frsize >> 20),
				 (unsigned long long)fs.f_favail);
	return 0;
}

/* Called for each entry before it is written: count it and its declared size. */
static int budget_entry(struct unpack_budget *b, struct archive_entry *entry, struct error *err)
{
	if (++b->entries > b->limits->max_entries)
		return error_set(err, EFBIG, "the layer has more than %llu entries",
				 (unsigned long long)b->limits->max_entries);
	la_int64_t size = sym_archive_entry_size(entry);
	if (size > 0 && (uint64_t)size > b->limits->max_bytes - b->bytes)
		return error_set(err, EFBIG, "the layer unpacks to more than %llu bytes",
				 (unsigned long long)b->limits->max_bytes);
	if (b->entries % 4096 == 0)
		return check_free_space(b, err);
	return 0;
}

static int copy_entry_data(struct archive *in, struct archive *out, struct unpack_budget *b,
			   struct error *err)
{
	const void *buf;
	size_t size;
	la_int64_t offset;
	for (;;) {
		int r = sym_archive_read_data_block(in, &buf, &size, &offset);
		if (r == ARCHIVE_EOF)
			return 0;
		if (r < ARCHIVE_WARN)
			return -EIO;
		/* The declared size was checked; a sparse or lying entry is counted as written. */
		if (size > b->limits->max_bytes - b->bytes)
			return error_set(err, EFBIG, "the layer unpacks to more than %llu bytes",
					 (unsigned long long)b->limits->max_bytes);
		b->bytes += size;
		if (b->bytes - b->bytes_at_last_check >= b->check_every &&
		    (r = check_free_space(b, err)) < 0)
			return r;
		if (sym_archive_write_data_block(out, buf, size, offset) < ARCHIVE_WARN)
			return -EIO;
	}
}

static int unpack_entries(struct archive *in, struct archive *out, int root_fd,
			  const char *dest_dir, struct unpack_budget *budget, struct error *err)
{
	size_t dest_len = strlen(dest_dir);
	struct archive_entry *entry;
	for (;;) {
		int r = sym_archive_read_next_header(in, &entry);
		if (r == ARCHIVE_EOF)
			return 0;
		if (r < ARCHIVE_WARN)
			return error_set(err, EINVAL, "reading archive: %s", sym_archive_error_string(in));
		const char *entry_name = sym_archive_entry_pathname(entry);
		char name[PATH_MAX], rel[PATH_MAX], full[PATH_MAX];
		if (!entry_name)
			return error_set(err, EINVAL, "archive entry without a name");
		if (strlen(entry_name) >= sizeof(name))
			return error_set(err, ENAMETOOLONG, "entry \"%.200s\": name too long", entry_name);
		/* Kept: setting the pathname below frees the string libarchive handed out. */
		strcpy(name, entry_name);
		r = normalize_entry_name(name, rel);
		if (r < 0)
			return error_set_errno(err, r, "entry \"%.200s\" escapes the layer", name);
		/* The runtime gives a container the devices it may have; a layer that brings its
		 * own (a host disk, /dev/mem) is refused whole, as Docker's own images never need. */
		mode_t type = sym_archive_entry_filetype(entry);
		if (type == AE_IFCHR || type == AE_IFBLK)
			return error_set(err, EPERM, "entry \"%.200s\" is a %s device node: image layers "
					 "may not carry devices", name,
					 type == AE_IFCHR ? "character" : "block");
		if (whiteout_is_entry(rel)) {
			r = whiteout_apply(root_fd, rel, err);
			if (r < 0)
				return r;
			continue;
		}
		if (join_path(dest_dir, dest_len, rel, full) < 0)
			return error_set(err, ENAMETOOLONG, "entry \"%.200s\": name too long", name);
		sym_archive_entry_set_pathname(entry, full);

		const char *link = sym_archive_entry_hardlink(entry);
		if (link) {
			char link_rel[PATH_MAX], link_full[PATH_MAX];
			r = normalize_entry_name(link, link_rel);
			if (r == 0 && !link_rel[0])
				r = -EPERM;
			if (r == 0)
				r = join_path(dest_dir, dest_len, link_rel, link_full);
			if (r == 0)
				r = check_hardlink_target(root_fd, link_rel);
			if (r < 0)
				return error_set_errno(err, r, "hard link \"%.200s\" -> \"%.200s\" leaves the layer",
						       name, link);
			sym_archive_entry_set_hardlink(entry, link_full);
		}
		drop_overlay_xattrs(entry);
		r = budget_entry(budget, entry, err);
		if (r < 0)
			return r;

		/* ARCHIVE_WARN (say, an xattr the filesystem refused) still unpacks the data. */
		r = sym_archive_write_header(out, entry);
		if (r >= ARCHIVE_WARN && sym_archive_entry_size(entry) > 0) {
			r = copy_entry_data(in, out, budget, err);
			if (r < 0 && r != -EIO)
				return r;
			r = r < 0 ? ARCHIVE_FATAL : ARCHIVE_OK;
		}
		if (r >= ARCHIVE_WARN)
			r = sym_archive_write_finish_entry(out);
		if (r < ARCHIVE_WARN)
			return error_set(err, EPERM, "entry \"%.200s\": %s", rel[0] ? rel : ".",
					 sym_archive_error_string(out) ? sym_archive_error_string(out)
								   : sym_archive_error_string(in));
	}
}

int layer_unpack_fd(int fd, const char *dest_dir, const struct layer_limits *limits,
		    struct sha256_stream *hash, uint64_t *ret_size, struct error *err)
{
	if (dest_dir[0] != '/')
		return error_set(err, EINVAL, "%s: layer folder must be an absolute path", dest_dir);
	int r = archive_dl_open(err);
	if (r < 0)
		return error_wrap(err, "unpacking a layer");
	_cleanup_close_ int root_fd = open(dest_dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (root_fd < 0)
		return error_set_errno(err, errno, "open %s", dest_dir);
	_cleanup_free_ struct hashing_reader *hr = calloc(1, sizeof(*hr));
	if (!hr)
		return error_set(err, ENOMEM, "out of memory");
	hr->fd = fd;
	hr->hash = hash;

	_cleanup_(archive_read_freep) struct archive *in = sym_archive_read_new();
	_cleanup_(archive_write_freep) struct archive *out = sym_archive_write_disk_new();
	if (!in || !out)
		return error_set(err, ENOMEM, "out of memory");
	sym_archive_read_support_format_tar(in);
	sym_archive_read_support_filter_gzip(in);
	sym_archive_read_support_filter_zstd(in);
	sym_archive_write_disk_set_options(out, ARCHIVE_EXTRACT_OWNER | ARCHIVE_EXTRACT_PERM |
						    ARCHIVE_EXTRACT_TIME | ARCHIVE_EXTRACT_XATTR |
						    ARCHIVE_EXTRACT_SECURE_SYMLINKS |
						    ARCHIVE_EXTRACT_SECURE_NODOTDOT);
	/* Owners are numeric: the image's uids mean nothing in the host's user database. */
	if (sym_archive_read_open(in, hr, NULL, archive_read_cb, NULL) != ARCHIVE_OK) {
		if (hr->error)
			return error_set_errno(err, hr->error, "reading layer");
		return error_set(err, EINVAL, "not a tar archive (plain, gzip or zstd): %s",
				 sym_archive_error_string(in));
	}
	struct unpack_budget budget = { .limits = limits ? limits : &layer_limits_default,
					.root_fd = root_fd, .dest_dir = dest_dir };
	r = check_free_space(&budget, err);
	if (r == 0)
		r = unpack_entries(in, out, root_fd, dest_dir, &budget, err);
	if (r == 0 && sym_archive_write_close(out) != ARCHIVE_OK)
		r = error_set(err, EIO, "finishing layer: %s", sym_archive_error_string(out));
	if (hr->error)
		return error_set_errno(err, hr->error, "reading layer");
	/* Hash what follows the archive's end too (padding, or all that a failed unpack left),
	 * so the whole blob is checked and a corrupted blob is told from a hostile one. */
	ssize_t n;
	while ((n = hashing_read(hr)) > 0)
		;
	if (n < 0)
		return error_set_errno(err, hr->error, "reading layer");
	if (ret_size)
		*ret_size = hr->total;
	return r;
}
