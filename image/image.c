#include "image/image.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "common/cleanup.h"
#include "common/fileio.h"
#include "image/layer_store.h"
#include "image/oci_json.h"
#include "image/oci_layout.h"

#define OCI_PREFIX "oci:"
#define DEFAULT_TAG "latest"
#define TAG_MAX 128
/* Image indexes may nest (a tagged index pointing at a per-platform index); bound the chain. */
#define INDEX_MAX_DEPTH 4

/* Split "oci:/path[:tag]" into a layout path and a tag (both allocated). */
static int parse_reference(const char *reference, char **ret_path, char **ret_tag,
			   struct error *err)
{
	if (strncmp(reference, OCI_PREFIX, strlen(OCI_PREFIX)) != 0)
		return error_set(err, EPROTONOSUPPORT,
				 "%s: registry pulls are not supported in this version; use an "
				 "oci:/path/to/layout[:tag] reference to a local OCI image layout",
				 reference);
	const char *path = reference + strlen(OCI_PREFIX);
	const char *colon = strrchr(path, ':');
	/* A ':' inside a folder name belongs to the path; only one after the last '/' is a tag. */
	if (colon && strchr(colon, '/'))
		colon = NULL;
	size_t path_len = colon ? (size_t)(colon - path) : strlen(path);
	const char *tag = colon ? colon + 1 : DEFAULT_TAG;
	if (path_len == 0)
		return error_set(err, EINVAL, "%s: no layout path", reference);
	size_t tag_len = strlen(tag);
	if (tag_len == 0 || tag_len > TAG_MAX || strspn(tag, "abcdefghijklmnopqrstuvwxyz"
						       "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_.-") != tag_len)
		return error_set(err, EINVAL, "%s: tag \"%.140s\" is not a valid tag", reference, tag);
	*ret_path = strndup(path, path_len);
	*ret_tag = strdup(tag);
	if (!*ret_path || !*ret_tag) {
		free(*ret_path);
		free(*ret_tag);
		return error_set(err, ENOMEM, "out of memory");
	}
	return 0;
}

/* Follow index.json (and any nested index) to the image manifest's descriptor. */
static int resolve_manifest(int layout_fd, const char *tag, struct oci_descriptor *ret,
			    struct error *err)
{
	_cleanup_free_ char *json = NULL;
	size_t size = 0;
	int r = oci_layout_read_index(layout_fd, &json, &size, err);
	if (r < 0)
		return r;
	struct oci_descriptor desc = { 0 };
	r = oci_index_select(json, size, tag, oci_host_arch(), &desc, err);
	if (r < 0)
		return error_wrap(err, "index.json");
	for (int depth = 0; oci_media_type_is_index(desc.media_type); depth++) {
		free(json);
		json = NULL;
		if (depth == INDEX_MAX_DEPTH)
			r = error_set(err, ELOOP, "image indexes nest more than %d deep", INDEX_MAX_DEPTH);
		else
			r = oci_layout_read_json_blob(layout_fd, &desc, &json, &size, err);
		if (r == 0) {
			struct oci_descriptor nested = { 0 };
			r = oci_index_select(json, size, NULL, oci_host_arch(), &nested, err);
			if (r < 0)
				error_wrap(err, "image index %s", desc.digest);
			oci_descriptor_done(&desc);
			desc = nested;
		}
		if (r < 0) {
			oci_descriptor_done(&desc);
			return r;
		}
	}
	if (!oci_media_type_is_manifest(desc.media_type)) {
		r = error_set(err, EINVAL, "%s: mediaType \"%.80s\" is not an image manifest",
			      desc.digest, desc.media_type);
		oci_descriptor_done(&desc);
		return r;
	}
	*ret = desc;
	return 0;
}

static int pull_from_layout(struct image *img, const char *layers_dir, const char *layout,
			    const char *tag, struct error *err)
{
	_cleanup_close_ int layout_fd = oci_layout_open(layout, err);
	if (layout_fd < 0)
		return layout_fd;
	struct oci_descriptor manifest_desc = { 0 };
	int r = resolve_manifest(layout_fd, tag, &manifest_desc, err);
	if (r < 0)
		return r;
	struct oci_descriptor by_digest = {
		.digest = manifest_desc.digest,
		.size = manifest_desc.size,
	};
	img->manifest_digest = TAKE_PTR(manifest_desc.digest);
	oci_descriptor_done(&manifest_desc);
	_cleanup_free_ char *json = NULL;
	size_t size = 0;
	r = oci_layout_read_json_blob(layout_fd, &by_digest, &json, &size, err);
	if (r < 0)
		return error_wrap(err, "manifest");
	struct oci_manifest manifest = { 0 };
	r = oci_manifest_parse(json, size, &manifest, err);
	if (r < 0)
		return error_wrap(err, "manifest %s", img->manifest_digest);

	free(json);
	json = NULL;
	r = oci_layout_read_json_blob(layout_fd, &manifest.config, &json, &size, err);
	if (r == 0 && oci_config_parse(json, size, &img->config, err) < 0)
		r = error_wrap(err, "config %s", manifest.config.digest);
	if (r == 0) {
		img->layers = calloc(manifest.n_layers + 1, sizeof(char *));
		if (!img->layers)
			r = error_set(err, ENOMEM, "out of memory");
	}
	for (size_t i = 0; r == 0 && i < manifest.n_layers; i++) {
		r = layer_store_ensure(layers_dir, layout_fd, &manifest.layers[i], &img->layers[i], err);
		if (r == 0)
			img->n_layers++;
	}
	oci_manifest_done(&manifest);
	return r;
}

/* The canonical path of STORE/layers/sha256, created when missing. Unpacking refuses paths
 * through symlinks, so everything works under the store's real path. */
static int store_layers_dir(const char *store_dir, char **ret, struct error *err)
{
	char real_store[PATH_MAX];
	if (!realpath(store_dir, real_store)) {
		/* The store holds setuid binaries of images: keep it closed to other users. */
		int r = errno == ENOENT ? mkdir_parents(store_dir, 0700) : -errno;
		if (r < 0)
			return error_set_errno(err, r, "create store %s", store_dir);
		if (!realpath(store_dir, real_store))
			return error_set_errno(err, errno, "store %s", store_dir);
	}
	_cleanup_free_ char *layers_dir = NULL;
	if (asprintf(&layers_dir, "%s/layers/sha256", real_store) < 0)
		return error_set(err, ENOMEM, "out of memory");
	struct stat st;
	if (stat(layers_dir, &st) < 0 || !S_ISDIR(st.st_mode)) {
		int r = mkdir_parents(layers_dir, 0700);
		if (r < 0)
			return error_set_errno(err, r, "create %s", layers_dir);
	}
	*ret = TAKE_PTR(layers_dir);
	return 0;
}

int image_pull(const char *store_dir, const char *reference, struct image **ret, struct error *err)
{
	_cleanup_free_ char *layout = NULL, *tag = NULL, *layers_dir = NULL;
	int r = parse_reference(reference, &layout, &tag, err);
	if (r < 0)
		return r;
	r = store_layers_dir(store_dir, &layers_dir, err);
	if (r < 0)
		return r;

	struct image *img = calloc(1, sizeof(*img));
	if (!img)
		return error_set(err, ENOMEM, "out of memory");
	img->reference = strdup(reference);
	r = img->reference ? pull_from_layout(img, layers_dir, layout, tag, err)
			   : error_set(err, ENOMEM, "out of memory");
	if (r < 0) {
		image_free(img);
		return error_wrap(err, "pull %s", reference);
	}
	*ret = img;
	return 0;
}

void image_free(struct image *img)
{
	if (!img)
		return;
	free(img->reference);
	free(img->manifest_digest);
	for (size_t i = 0; img->layers && img->layers[i]; i++)
		free(img->layers[i]);
	free(img->layers);
	image_config_done(&img->config);
	free(img);
}
