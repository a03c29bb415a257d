#include "image/image.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "common/cleanup.h"
#include "common/fileio.h"
#include "image/image_source.h"
#include "image/layer_store.h"
#include "image/oci_json.h"

/* The layers not in the store yet, fetched at once by a source that can. */
static int prefetch_missing(const char *layers_dir, const struct image_origin *origin,
			    const struct oci_manifest *manifest, struct error *err)
{
	_cleanup_free_ struct oci_descriptor *missing = calloc(manifest->n_layers + 1,
								sizeof(*missing));
	if (!missing)
		return error_set(err, ENOMEM, "out of memory");
	size_t n = 0;
	for (size_t i = 0; i < manifest->n_layers; i++)
		if (!layer_store_has(layers_dir, &manifest->layers[i]))
			missing[n++] = manifest->layers[i];
	return n ? origin->source->prefetch(origin->state, missing, n, layers_dir, err) : 0;
}

static int pull_from_origin(struct image *img, const char *layers_dir,
			    const struct image_origin *origin, struct error *err)
{
	const struct image_source *source = origin->source;
	struct oci_descriptor manifest_desc = { 0 };
	int r = source->manifest(origin->state, &manifest_desc, err);
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
	r = source->read_json_blob(origin->state, &by_digest, &json, &size, err);
	if (r < 0)
		return error_wrap(err, "manifest");
	struct oci_manifest manifest = { 0 };
	r = oci_manifest_parse(json, size, &manifest, err);
	if (r < 0)
		return error_wrap(err, "manifest %s", img->manifest_digest);

	free(json);
	json = NULL;
	r = source->read_json_blob(origin->state, &manifest.config, &json, &size, err);
	if (r == 0 && oci_config_parse(json, size, &img->config, err) < 0)
		r = error_wrap(err, "config %s", manifest.config.digest);
	if (r == 0) {
		img->layers = calloc(manifest.n_layers + 1, sizeof(char *));
		if (!img->layers)
			r = error_set(err, ENOMEM, "out of memory");
	}
	if (r == 0 && source->prefetch)
		r = prefetch_missing(layers_dir, origin, &manifest, err);
	for (size_t i = 0; r == 0 && i < manifest.n_layers; i++) {
		r = layer_store_ensure(layers_dir, origin, &manifest.layers[i], &img->layers[i], err);
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

int image_pull(const struct image_pull_options *options, const char *reference,
	       struct image **ret, struct error *err)
{
	_cleanup_free_ char *layers_dir = NULL;
	_cleanup_(image_origin_close) struct image_origin origin = { 0 };
	/* The store first: a registry source keeps its downloads in it. */
	int r = store_layers_dir(options->store_dir, &layers_dir, err);
	if (r < 0)
		return r;
	r = image_origin_open(reference, options, &origin, err);
	if (r < 0)
		return r;

	struct image *img = calloc(1, sizeof(*img));
	if (!img)
		return error_set(err, ENOMEM, "out of memory");
	img->reference = strdup(reference);
	r = img->reference ? pull_from_origin(img, layers_dir, &origin, err)
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
