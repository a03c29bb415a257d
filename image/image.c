#include "image/image.h"

#include <errno.h>
#include <stdbool.h>
#include <pthread.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>

#include "common/cleanup.h"
#include "common/fileio.h"
#include "image/image_gc.h"
#include "image/image_record.h"
#include "image/image_source.h"
#include "image/layer_store.h"
#include "image/oci_json.h"

/* Layers fetched and unpacked side by side: enough to fill a link and overlap network, CPU
 * and disk, few enough for a small device. */
#define LAYERS_AT_ONCE 4

struct layer_jobs {
	const char *layers_dir;
	const struct image_origin *origin;
	const struct oci_manifest *manifest;
	char **paths;
	pthread_mutex_t lock;
	size_t next;
	int result;
	struct error err;
};

static void *layer_worker(void *arg)
{
	struct layer_jobs *j = arg;
	for (;;) {
		pthread_mutex_lock(&j->lock);
		size_t i = j->result < 0 ? j->manifest->n_layers : j->next++;
		pthread_mutex_unlock(&j->lock);
		if (i >= j->manifest->n_layers)
			return NULL;
		struct error e = { 0 };
		int r = layer_store_ensure(j->layers_dir, j->origin, &j->manifest->layers[i],
					   &j->paths[i], &e);
		if (r < 0) {
			pthread_mutex_lock(&j->lock);
			if (j->result == 0) {
				j->result = r;
				j->err = e;
			}
			pthread_mutex_unlock(&j->lock);
		}
	}
}

/* Every layer of MANIFEST into the store; PATHS[i] gets layer i's folder. */
static int ensure_layers(const char *layers_dir, const struct image_origin *origin,
			 const struct oci_manifest *manifest, char **paths, struct error *err)
{
	struct layer_jobs j = { .layers_dir = layers_dir, .origin = origin, .manifest = manifest,
				.paths = paths };
	pthread_mutex_init(&j.lock, NULL);
	pthread_t threads[LAYERS_AT_ONCE];
	size_t started = 0;
	while (started < manifest->n_layers && started < LAYERS_AT_ONCE &&
	       pthread_create(&threads[started], NULL, layer_worker, &j) == 0)
		started++;
	if (started == 0)
		layer_worker(&j); /* no thread to be had: one after the other, here */
	for (size_t i = 0; i < started; i++)
		pthread_join(threads[i], NULL);
	pthread_mutex_destroy(&j.lock);
	if (j.result < 0 && err)
		*err = j.err;
	return j.result;
}

static void strv_freep(char ***v)
{
	for (size_t i = 0; *v && (*v)[i]; i++)
		free((*v)[i]);
	free(*v);
}

/* The collector's view of the containers: their layers stay. */
static int layers_in_use(const struct image_pull_options *options, char ***ret, struct error *err)
{
	*ret = NULL;
	int r = options->layers_in_use ? options->layers_in_use(options->layers_in_use_arg, ret) : 0;
	return r < 0 ? error_set_errno(err, r, "image store: layers in use") : 0;
}

/* Make room for NEEDED more bytes, or say why they cannot fit. */
static int collect(const struct image_pull_options *options, uint64_t needed, struct error *err)
{
	struct image_gc_policy policy = { .budget_bytes = options->store_budget_bytes,
					  .max_unused_age_s = options->unused_image_max_age_s };
	if (!policy.budget_bytes && !policy.max_unused_age_s)
		return 0;
	_cleanup_(strv_freep) char **in_use = NULL;
	int r = layers_in_use(options, &in_use, err);
	return r < 0 ? r : image_store_gc(options->store_dir, &policy, in_use, needed, err);
}

/* After a pull, back within the budget, older unused images going first; when the new image
 * itself does not fit beside those in use, it goes and the pull fails saying so. */
static int trim_after_pull(const struct image_pull_options *options, const char *reference,
			   int *pin, struct error *err)
{
	if (!options->store_budget_bytes)
		return 0;
	int r = collect(options, 0, err); /* the new image pinned: others go first */
	if (r != -ENOSPC)
		return 0;
	close(*pin);
	*pin = -1;
	_cleanup_(strv_freep) char **in_use = NULL;
	struct error ignored = { 0 };
	if (layers_in_use(options, &in_use, &ignored) == 0)
		(void)image_store_evict(options->store_dir, reference, in_use, &ignored);
	return error_wrap(err, "once unpacked the image does not fit");
}

/* The least room the missing layers will take: their size as fetched (a layer unpacks to at
 * least about that; what it really takes is checked once it is unpacked). */
static uint64_t room_needed(const char *layers_dir, const struct oci_manifest *manifest)
{
	uint64_t needed = 0;
	for (size_t i = 0; i < manifest->n_layers; i++)
		if (!layer_store_has(layers_dir, &manifest->layers[i]))
			needed += manifest->layers[i].size;
	return needed;
}

static int pull_from_origin(const struct image_pull_options *options, struct image *img,
			    const char *layers_dir, const struct image_origin *origin,
			    char **ret_config, size_t *ret_config_size, struct error *err)
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
		*ret_config = TAKE_PTR(json);
		*ret_config_size = size;
	}
	if (r == 0) {
		img->layers = calloc(manifest.n_layers + 1, sizeof(char *));
		if (!img->layers)
			r = error_set(err, ENOMEM, "out of memory");
	}
	if (r == 0)
		r = collect(options, room_needed(layers_dir, &manifest), err);
	if (r == 0)
		r = ensure_layers(layers_dir, origin, &manifest, img->layers, err);
	if (r == 0)
		img->n_layers = manifest.n_layers;
	for (size_t i = 0; r < 0 && img->layers && i < manifest.n_layers; i++) {
		free(img->layers[i]); /* those that were ready when another failed */
		img->layers[i] = NULL;
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

static int pull_fresh(const struct image_pull_options *options, const char *layers_dir,
		      const char *reference, struct image **ret, struct error *err)
{
	_cleanup_(image_origin_close) struct image_origin origin = { 0 };
	int r = image_origin_open(reference, options, &origin, err);
	if (r < 0)
		return r;
	struct image *img = calloc(1, sizeof(*img));
	if (!img)
		return error_set(err, ENOMEM, "out of memory");
	_cleanup_free_ char *config = NULL;
	size_t config_size = 0;
	img->reference = strdup(reference);
	r = img->reference ? pull_from_origin(options, img, layers_dir, &origin, &config,
					      &config_size, err)
			   : error_set(err, ENOMEM, "out of memory");
	if (r < 0) {
		image_free(img);
		return error_wrap(err, "pull %s", reference);
	}
	/* Only what a later cached start needs; losing it costs a pull, not this one. */
	struct error ignored = { 0 };
	(void)image_record_write(options->store_dir, img, config, config_size, &ignored);
	*ret = img;
	return 0;
}

int image_pull(const struct image_pull_options *options, const char *reference,
	       struct image **ret, struct error *err)
{
	_cleanup_free_ char *layers_dir = NULL;
	int r = store_layers_dir(options->store_dir, &layers_dir, err);
	if (r < 0)
		return r;
	enum image_pull_behavior behavior = options->behavior;
	struct error cache_err = { 0 };
	/* Held to the end: the collector leaves this image alone meanwhile. */
	_cleanup_close_ int pin = image_record_pin(options->store_dir, reference);
	if (pin < 0)
		return error_set_errno(err, pin, "image store %s", options->store_dir);
	/* once and prefer-cached: the store first, the registry only for what it lacks. */
	if ((behavior == IMAGE_PULL_ONCE || behavior == IMAGE_PULL_PREFER_CACHED) &&
	    image_record_load(options->store_dir, layers_dir, reference, ret, &cache_err) == 0)
		return 0;
	r = pull_fresh(options, layers_dir, reference, ret, err);
	if (r == 0) {
		r = trim_after_pull(options, reference, &pin, err);
		if (r < 0) {
			image_free(*ret);
			*ret = NULL;
			return error_wrap(err, "pull %s", reference);
		}
	}
	/* default: as ECS's, a pull that fails falls back to the image pulled before. */
	if (r < 0 && behavior == IMAGE_PULL_DEFAULT &&
	    image_record_load(options->store_dir, layers_dir, reference, ret, &cache_err) == 0)
		return 0;
	return r;
}

static const char *const behavior_names[] = {
	[IMAGE_PULL_DEFAULT] = "default",
	[IMAGE_PULL_ALWAYS] = "always",
	[IMAGE_PULL_ONCE] = "once",
	[IMAGE_PULL_PREFER_CACHED] = "prefer-cached",
};

int image_pull_behavior_parse(const char *name, enum image_pull_behavior *ret)
{
	for (size_t i = 0; i < sizeof(behavior_names) / sizeof(behavior_names[0]); i++)
		if (!strcmp(name, behavior_names[i])) {
			*ret = (enum image_pull_behavior)i;
			return 0;
		}
	return -EINVAL;
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
