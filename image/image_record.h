/* What the store remembers of each reference it pulled (STORE/records/<sha256 of the
 * reference>.json): the manifest digest, the image config and the layers, so that a task can
 * start from the store alone when the pull behaviour allows it (prefer-cached, once) or the
 * registry cannot be reached (default). */
#pragma once

#include <stddef.h>
#include <stdint.h>

#include "common/error.h"
#include "image/image.h"

/* Remember IMG, pulled for its reference, with CONFIG_JSON, its image config as fetched. */
int image_record_write(const char *store_dir, const struct image *img, const char *config_json,
		       size_t config_size, struct error *err);

/* The image REFERENCE was last pulled as, when the record exists and every layer it names is
 * still in LAYERS_DIR; -ENOENT otherwise. */
int image_record_load(const char *store_dir, const char *layers_dir, const char *reference,
		      struct image **ret, struct error *err);

/* Hold REFERENCE's record for a pull (a shared lock on STORE/records/<key>.lock): the
 * collector leaves an image alone while anyone holds it. An fd to close, or -errno. */
int image_record_pin(const char *store_dir, const char *reference);

/* What the collector needs of a record: its layers (hex, NULL-terminated) and when it was
 * last used (seconds since the epoch). Pure, for the fuzzer. */
int image_record_summary(const char *json, size_t size, char ***ret_layer_hex,
			 int64_t *ret_used_at, struct error *err);

/* Parse a record's text (outside input: a file on disk) into IMG's manifest digest, layer
 * names (hex) and config. Pure, for the fuzzer. */
int image_record_parse(const char *json, size_t size, struct image *img, char ***ret_layer_hex,
		       struct error *err);
