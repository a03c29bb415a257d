#include "image/layer_store.h"

#include <errno.h>
#include <stdbool.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common/cleanup.h"
#include "common/fileio.h"
#include "image/digest.h"
#include "image/image_source.h"
#include "image/layer_unpack.h"

/* The rename that publishes a layer comes after its content is on disk. */
static int sync_layer(const char *tmp, const struct oci_descriptor *desc, struct error *err)
{
	_cleanup_close_ int tmp_fd = open(tmp, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (tmp_fd < 0 || syncfs(tmp_fd) < 0)
		return error_set_errno(err, errno, "layer %s: sync", desc->digest);
	return 0;
}

/* Unpack the blob into tmp and verify it; on success the caller renames tmp into place. */
static int unpack_verified(const struct image_origin *origin, const struct oci_descriptor *desc,
			   const char *hex, const char *tmp, bool *fetched, struct error *err)
{
	_cleanup_close_ int blob_fd = origin->source->open_blob(origin->state, desc, err);
	if (blob_fd < 0)
		return blob_fd;
	*fetched = true;
	/* A blob of the wrong size is refused before any of it is unpacked. */
	struct stat st;
	if (fstat(blob_fd, &st) < 0)
		return error_set_errno(err, errno, "layer %s", desc->digest);
	if ((uint64_t)st.st_size != desc->size)
		return error_set(err, EBADMSG, "layer %s: size %lld, descriptor says %llu",
				 desc->digest, (long long)st.st_size, (unsigned long long)desc->size);
	/* A source that hands over only blobs it verified under a lock it still holds (a
	 * registry's downloads) spares the second pass; any other is hashed while it unpacks. */
	if (origin->source->blobs_verified) {
		uint64_t size = 0;
		int r = layer_unpack_fd(blob_fd, tmp, NULL, NULL, &size, err);
		if (r < 0)
			return error_wrap(err, "layer %s", desc->digest);
		if (size != desc->size)
			return error_set(err, EBADMSG, "layer %s: size %llu, descriptor says %llu",
					 desc->digest, (unsigned long long)size,
					 (unsigned long long)desc->size);
		return sync_layer(tmp, desc, err);
	}
	struct sha256_stream hash;
	if (sha256_stream_init(&hash) < 0)
		return error_set(err, ENOMEM, "out of memory");
	uint64_t size = 0;
	char got[SHA256_HEX_LEN + 1] = "";
	int r = layer_unpack_fd(blob_fd, tmp, NULL, &hash, &size, err);
	bool hashed = size == desc->size && sha256_stream_final_hex(&hash, got) == 0;
	sha256_stream_release(&hash);
	/* A digest mismatch explains any unpack failure: report it first. */
	if (hashed && strcmp(got, hex) != 0)
		return error_set(err, EBADMSG, "layer %s: digest mismatch (content is sha256:%s)",
				 desc->digest, got);
	if (r < 0)
		return error_wrap(err, "layer %s", desc->digest);
	if (!hashed)
		return error_set(err, EBADMSG, "layer %s: size %llu, descriptor says %llu",
				 desc->digest, (unsigned long long)size,
				 (unsigned long long)desc->size);
	return sync_layer(tmp, desc, err);
}

bool layer_store_has(const char *layers_dir, const struct oci_descriptor *desc)
{
	char hex[SHA256_HEX_LEN + 1], path[PATH_MAX];
	struct stat st;
	return digest_parse_sha256(desc->digest, hex) == 0 &&
	       snprintf(path, sizeof(path), "%s/%s", layers_dir, hex) < (int)sizeof(path) &&
	       stat(path, &st) == 0 && S_ISDIR(st.st_mode);
}

/* One unpack per layer at a time, across threads and processes: a second pull of the same
 * layer waits on LAYERS_DIR/.<hex>.lock, then finds the layer in place and takes it as it is;
 * pulls of different layers go side by side. The lock file goes when its holder is done: a
 * waiter on the old file then finds the layer (or, after a failure, may unpack it beside a
 * newcomer, and the second rename takes the first's). */
static int lock_layer(const char *layers_dir, const char *hex, char lock_path[PATH_MAX],
		      struct error *err)
{
	if (snprintf(lock_path, PATH_MAX, "%s/.%s.lock", layers_dir, hex) >= PATH_MAX)
		return error_set(err, ENAMETOOLONG, "%s: path too long", layers_dir);
	int fd = open_locked(lock_path, O_RDWR | O_CREAT | O_NOFOLLOW, 0600, LOCK_EX);
	return fd < 0 ? error_set_errno(err, fd, "lock %s", lock_path) : fd;
}

static int unpack_locked(const char *layers_dir, const struct image_origin *origin,
			 const struct oci_descriptor *desc, const char *hex, const char *final,
			 struct error *err)
{
	char tmp[PATH_MAX];
	if (snprintf(tmp, sizeof(tmp), "%s/.tmp-%s-XXXXXX", layers_dir, hex) >= (int)sizeof(tmp))
		return error_set(err, ENAMETOOLONG, "%s: path too long", layers_dir);
	if (!mkdtemp(tmp))
		return error_set_errno(err, errno, "create %s", tmp);
	/* mkdtemp makes 0700; a layer without a "./" entry gets the usual root folder mode. */
	int r = chmod(tmp, 0755) < 0 ? error_set_errno(err, errno, "chmod %s", tmp) : 0;
	bool fetched = false;
	if (r == 0)
		r = unpack_verified(origin, desc, hex, tmp, &fetched, err);
	if (r == 0 && rename(tmp, final) < 0) {
		/* Another pull published the same layer first: use theirs. */
		if (errno == EEXIST || errno == ENOTEMPTY)
			r = 0;
		else
			r = error_set_errno(err, errno, "rename %s to %s", tmp, final);
	}
	remove_tree(tmp);
	/* Published or refused, the source's copy goes while the layer is still locked, so that
	 * another pull sees either the layer in place or the copy being fetched. One not fetched
	 * whole (a transfer cut too often) stays, for the next pull to continue. */
	if (fetched && origin->source->blob_done)
		origin->source->blob_done(origin->state, desc);
	return r;
}

int layer_store_ensure(const char *layers_dir, const struct image_origin *origin,
		       const struct oci_descriptor *desc, char **ret_path, struct error *err)
{
	char hex[SHA256_HEX_LEN + 1];
	if (digest_parse_sha256(desc->digest, hex) < 0)
		return error_set(err, EINVAL, "layer digest \"%.80s\" is not sha256:<64 hex digits>",
				 desc->digest);
	_cleanup_free_ char *final = NULL;
	if (asprintf(&final, "%s/%s", layers_dir, hex) < 0)
		return error_set(err, ENOMEM, "out of memory");

	/* Fast path: the layer was verified and unpacked before. */
	struct stat st;
	if (stat(final, &st) == 0 && S_ISDIR(st.st_mode)) {
		*ret_path = TAKE_PTR(final);
		return 0;
	}

	char lock_path[PATH_MAX];
	_cleanup_close_ int lock_fd = lock_layer(layers_dir, hex, lock_path, err);
	if (lock_fd < 0)
		return lock_fd;
	int r = 0;
	if (stat(final, &st) != 0 || !S_ISDIR(st.st_mode))
		r = unpack_locked(layers_dir, origin, desc, hex, final, err);
	unlink(lock_path);
	if (r < 0)
		return r;
	*ret_path = TAKE_PTR(final);
	return 0;
}
