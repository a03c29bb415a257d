/* Reading an OCI image layout folder (oci-layout, index.json, blobs/sha256/<hex>). Every
 * blob is checked against its descriptor's size and sha256 before anything uses it. */
#pragma once

#include <stddef.h>

#include "common/error.h"
#include "image/oci_json.h"

/* Open the layout folder and check its oci-layout file. Returns an fd or a negative errno. */
int oci_layout_open(const char *path, struct error *err);

/* Read index.json (bounded by OCI_JSON_MAX_SIZE). */
int oci_layout_read_index(int layout_fd, char **ret, size_t *ret_size, struct error *err);

/* Read a JSON blob (manifest, index, config) and verify its size and digest. */
int oci_layout_read_json_blob(int layout_fd, const struct oci_descriptor *desc, char **ret,
			      size_t *ret_size, struct error *err);

/* Open a blob for streaming; the caller verifies while reading. Returns an fd or -errno. */
int oci_layout_open_blob(int layout_fd, const struct oci_descriptor *desc, struct error *err);
