/* Where an image's manifest and blobs come from, picked by the reference's scheme: "oci:" a
 * local OCI image layout (image/source_oci_layout.c), anything else a registry
 * (image/source_registry.c). The puller (image.c) opens the reference with its source, asks
 * it for the manifest's descriptor, and reads every other blob through it by descriptor. */
#pragma once

#include <stdbool.h>
#include <stddef.h>

#include "common/error.h"
#include "image/image.h"
#include "image/oci_json.h"

struct image_source {
	const char *scheme;  /* the prefix of the references it takes: "oci:"; "" takes any */
	const char *usage;   /* how such a reference reads, for the refusal of unknown ones */
	/* open_blob hands over only blobs it verified (size and digest) and keeps locked until
	 * the fd is closed: the layer store does not hash them again. */
	bool blobs_verified;
	/* REFERENCE starts with the scheme; *ret_state is the source's own (an open folder). */
	int (*open)(const char *reference, const struct image_pull_options *options,
		    void **ret_state, struct error *err);
	/* The descriptor of the image manifest the reference names (its tag resolved). */
	int (*manifest)(void *state, struct oci_descriptor *ret, struct error *err);
	/* A JSON blob (manifest, config), its size and digest verified. */
	int (*read_json_blob)(void *state, const struct oci_descriptor *desc, char **ret,
			      size_t *ret_size, struct error *err);
	/* A blob for streaming (a layer); the caller verifies while reading. An fd or -errno.
	 * Called from several threads at once, for different layers. */
	int (*open_blob)(void *state, const struct oci_descriptor *desc, struct error *err);
	/* Optional: the layer DESC was unpacked into the store, or refused: what the source kept
	 * of it may go. */
	void (*blob_done)(void *state, const struct oci_descriptor *desc);
	void (*close)(void *state);
};

extern const struct image_source image_source_oci_layout;
extern const struct image_source image_source_registry;

/* The sources (image/image_sources.c), NULL-terminated. */
extern const struct image_source *const image_sources[];

/* An opened reference: its source and that source's state. */
struct image_origin {
	const struct image_source *source;
	void *state;
};

/* Open REFERENCE with the source of its scheme; -EPROTONOSUPPORT naming the known ones when
 * no source takes it. */
int image_origin_open(const char *reference, const struct image_pull_options *options,
		      struct image_origin *ret, struct error *err);
void image_origin_close(struct image_origin *o);
