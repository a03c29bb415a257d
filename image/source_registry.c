/* The registry image source: any reference that is not "oci:", read as Docker reads it
 * (image/image_ref.h), pulled over the distribution API (image/registry_client.h). Each layer
 * is fetched into STORE/downloads under a lock of its own file, verified there before it is
 * unpacked, and removed once unpacked (or refused). A cut transfer leaves its part there for
 * the next pull to continue. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <unistd.h>

#include "common/cleanup.h"
#include "common/fileio.h"
#include "image/digest.h"
#include "image/image_ref.h"
#include "image/image_source.h"
#include "image/layer_unpack.h"
#include "image/registry_client.h"

/* An index may point at another index; bound the chain. */
#define INDEX_MAX_DEPTH 4

struct registry_origin {
	struct image_ref ref;
	char *reference; /* as given, for messages */
	struct registry_client *client;
	char *downloads; /* STORE/downloads */
	char *manifest;  /* the image manifest the reference resolved to, and its digest */
	size_t manifest_size;
	char *manifest_digest;
};

static void registry_close(void *state)
{
	struct registry_origin *o = state;
	if (!o)
		return;
	image_ref_done(&o->ref);
	registry_client_free(o->client);
	free(o->reference);
	free(o->downloads);
	free(o->manifest);
	free(o->manifest_digest);
	free(o);
}

static void registry_closep(struct registry_origin **o)
{
	registry_close(*o);
}

static int registry_open(const char *reference, const struct image_pull_options *options,
			 void **ret_state, struct error *err)
{
	struct registry_origin *o = calloc(1, sizeof(*o));
	if (!o)
		return error_set(err, ENOMEM, "out of memory");
	_cleanup_(registry_closep) struct registry_origin *owned = o;
	int r = image_ref_parse(reference, &o->ref, err);
	if (r < 0)
		return error_wrap(err, "image \"%.200s\"", reference);
	if (!(o->reference = strdup(reference)) ||
	    asprintf(&o->downloads, "%s/downloads", options->store_dir) < 0)
		return error_set(err, ENOMEM, "out of memory");
	r = mkdir_parents(o->downloads, 0700);
	if (r < 0)
		return error_set_errno(err, r, "create %s", o->downloads);
	r = registry_client_new(&o->ref, &options->registry, &o->client, err);
	if (r < 0)
		return r;
	registry_client_count_into(o->client, options->progress);
	*ret_state = TAKE_PTR(owned);
	return 0;
}

/* The body's own mediaType when the registry's Content-Type says nothing useful. */
static bool document_is_index(const char *media_type, const char *body, size_t size)
{
	if (oci_media_type_is_index(media_type))
		return true;
	if (oci_media_type_is_manifest(media_type))
		return false;
	/* An OCI index may omit mediaType; it has "manifests", a manifest has "layers". */
	return memmem(body, size, "\"manifests\"", 11) && !memmem(body, size, "\"layers\"", 8);
}

static int registry_manifest(void *state, struct oci_descriptor *ret, struct error *err)
{
	struct registry_origin *o = state;
	_cleanup_free_ char *name = strdup(image_ref_manifest_name(&o->ref));
	if (!name)
		return error_set(err, ENOMEM, "out of memory");
	for (int depth = 0;; depth++) {
		_cleanup_free_ char *body = NULL, *media_type = NULL, *digest = NULL;
		size_t size = 0;
		int r = registry_get_manifest(o->client, name, &body, &size, &media_type, &digest,
					      err);
		if (r < 0)
			return r;
		if (!document_is_index(media_type, body, size)) {
			if (*media_type && !oci_media_type_is_manifest(media_type))
				return error_set(err, EPROTONOSUPPORT, "%s: mediaType \"%.80s\" is "
						 "not an image manifest", name, media_type);
			struct oci_descriptor d = {
				.media_type = strdup(*media_type ? media_type
								 : "application/vnd.oci.image.manifest.v1+json"),
				.digest = strdup(digest),
				.size = size,
			};
			if (!d.media_type || !d.digest) {
				oci_descriptor_done(&d);
				return error_set(err, ENOMEM, "out of memory");
			}
			o->manifest = TAKE_PTR(body);
			o->manifest_size = size;
			o->manifest_digest = TAKE_PTR(digest);
			*ret = d;
			return 0;
		}
		if (depth == INDEX_MAX_DEPTH)
			return error_set(err, ELOOP, "image indexes nest more than %d deep",
					 INDEX_MAX_DEPTH);
		struct oci_descriptor pick = { 0 };
		r = oci_index_select(body, size, NULL, oci_host_arch(), &pick, err);
		if (r < 0)
			return error_wrap(err, "image index %s", digest);
		free(name);
		name = TAKE_PTR(pick.digest);
		oci_descriptor_done(&pick);
	}
}

static int registry_read_json_blob(void *state, const struct oci_descriptor *desc, char **ret,
				   size_t *ret_size, struct error *err)
{
	struct registry_origin *o = state;
	if (o->manifest_digest && !strcmp(desc->digest, o->manifest_digest)) {
		if (!(*ret = malloc(o->manifest_size + 1)))
			return error_set(err, ENOMEM, "out of memory");
		memcpy(*ret, o->manifest, o->manifest_size);
		(*ret)[o->manifest_size] = '\0';
		*ret_size = o->manifest_size;
		return 0;
	}
	return registry_get_blob(o->client, desc, ret, ret_size, err);
}

static int download_path(struct registry_origin *o, const struct oci_descriptor *desc,
			 char *buf, size_t size, struct error *err)
{
	char hex[SHA256_HEX_LEN + 1];
	if (digest_parse_sha256(desc->digest, hex) < 0)
		return error_set(err, EINVAL, "digest \"%.80s\" is not sha256:<hex>", desc->digest);
	if (snprintf(buf, size, "%s/%s", o->downloads, hex) >= (int)size)
		return error_set(err, ENAMETOOLONG, "%s: path too long", o->downloads);
	return 0;
}

/* STORE/downloads/<hex>, opened read-write and locked: the caller owns the fd. */
static int open_download(struct registry_origin *o, const struct oci_descriptor *desc,
			 struct error *err)
{
	char path[4096];
	int r = download_path(o, desc, path, sizeof(path), err);
	if (r < 0)
		return r;
	int fd = open_locked(path, O_RDWR | O_CREAT | O_NOFOLLOW, 0600, LOCK_EX);
	return fd < 0 ? error_set_errno(err, fd, "open %s", path) : fd;
}

static void registry_blob_done(void *state, const struct oci_descriptor *desc)
{
	char path[4096];
	if (download_path(state, desc, path, sizeof(path), NULL) == 0)
		unlink(path);
}

/* What is left to fetch must fit in the store's file system beside the reserve the layer
 * store keeps free when it unpacks (image/layer_unpack.h): a descriptor that claims a huge
 * blob fails here, clearly, instead of filling the disk. */
static int check_room(int fd, const struct oci_descriptor *desc, struct error *err)
{
	struct stat st;
	struct statvfs fs;
	if (fstat(fd, &st) < 0 || fstatvfs(fd, &fs) < 0)
		return error_set_errno(err, errno, "layer %s: free space", desc->digest);
	uint64_t have = (uint64_t)st.st_size, free_bytes = (uint64_t)fs.f_bavail * fs.f_frsize;
	uint64_t reserve = (uint64_t)fs.f_blocks * fs.f_frsize / 100 * LAYER_MIN_FREE_PERCENT_DEFAULT;
	if (reserve > (1ULL << 30))
		reserve = 1ULL << 30;
	uint64_t left = desc->size > have ? desc->size - have : 0;
	if (left + reserve > free_bytes)
		return error_set(err, ENOSPC, "layer %s: %llu MiB to fetch, but the image store's "
				 "file system has %llu MiB free and keeps %llu MiB in reserve",
				 desc->digest, (unsigned long long)(left >> 20),
				 (unsigned long long)(free_bytes >> 20),
				 (unsigned long long)(reserve >> 20));
	return 0;
}

/* Fetch (or finish, or only verify) one download, under its lock; a blob that fails its
 * digest is not kept. */
static int fetch_locked(struct registry_origin *o, const struct oci_descriptor *desc, int fd,
			struct error *err)
{
	int r = check_room(fd, desc, err);
	if (r < 0) {
		registry_blob_done(o, desc); /* the empty file open_download made */
		return r;
	}
	r = registry_fetch_blob(o->client, desc, fd, err);
	if (r == -EBADMSG)
		registry_blob_done(o, desc);
	return r < 0 ? error_wrap(err, "layer %s", desc->digest) : 0;
}

/* The verified download; blob_done removes it once the layer is in the store. */
static int registry_open_blob(void *state, const struct oci_descriptor *desc, struct error *err)
{
	struct registry_origin *o = state;
	int fd = open_download(o, desc, err);
	if (fd < 0)
		return fd;
	int r = fetch_locked(o, desc, fd, err);
	if (r < 0) {
		close(fd);
		return r;
	}
	return fd;
}

const struct image_source image_source_registry = {
	.scheme = "",
	.usage = "a registry reference such as busybox:1.36 or registry.example.com:5000/team/app",
	.blobs_verified = true,
	.open = registry_open,
	.manifest = registry_manifest,
	.read_json_blob = registry_read_json_blob,
	.open_blob = registry_open_blob,
	.blob_done = registry_blob_done,
	.close = registry_close,
};
