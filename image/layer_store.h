/* Unpacked layers in the content store, one folder per layer digest:
 * STORE/layers/sha256/<hex>/. A layer is unpacked into a temporary folder beside its final
 * place and renamed into place only once complete and verified: the folder's existence is
 * the completion mark, so a reader never sees half a layer, and when two pulls race the
 * first rename wins and the other drops its copy. */
#pragma once

#include <stdbool.h>

#include "common/error.h"
#include "image/image_source.h"
#include "image/oci_json.h"

/* layers_dir: canonical absolute path of STORE/layers/sha256 (existing); the layer's blob is
 * read from ORIGIN when it is not in the store yet. On success *ret_path is the layer's
 * folder (caller frees). */
/* True when the layer DESC is unpacked in the store already. */
bool layer_store_has(const char *layers_dir, const struct oci_descriptor *desc);

int layer_store_ensure(const char *layers_dir, const struct image_origin *origin,
		       const struct oci_descriptor *desc, char **ret_path, struct error *err);
