/* The OCI documents of an image, parsed from bytes: image index (index.json or a nested
 * index), image manifest and image config. Pure functions without I/O, so they can be fuzzed.
 * Docker v2 manifest and manifest-list media types are accepted alongside the OCI ones. */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "common/error.h"
#include "image/image.h"

/* Upper bound for any JSON document of an image (index, manifest, config). */
#define OCI_JSON_MAX_SIZE (4u << 20)

#define OCI_REF_NAME_ANNOTATION "org.opencontainers.image.ref.name"

struct oci_descriptor {
	char *media_type;
	char *digest;  /* validated "sha256:<hex>" */
	uint64_t size;
};

struct oci_manifest {
	struct oci_descriptor config;
	struct oci_descriptor *layers; /* lowest first */
	size_t n_layers;
};

bool oci_media_type_is_index(const char *media_type);
bool oci_media_type_is_manifest(const char *media_type);
bool oci_media_type_is_layer(const char *media_type);

/* Pick one entry of an image index. With tag set, the entry whose ref.name annotation is the
 * tag (by platform when several carry it); with tag NULL (a nested index), the entry for
 * linux/arch. -ENOENT when nothing matches. */
int oci_index_select(const char *json, size_t size, const char *tag, const char *arch,
		     struct oci_descriptor *ret, struct error *err);

int oci_manifest_parse(const char *json, size_t size, struct oci_manifest *ret,
		       struct error *err);

/* The runtime part of an image config (Entrypoint, Cmd, Env, WorkingDir, User). */
int oci_config_parse(const char *json, size_t size, struct image_config *ret, struct error *err);

#include <cjson/cJSON.h>

static inline void cjson_deletep(cJSON **doc)
{
	cJSON_Delete(*doc);
}

/* Parse an index or manifest document: valid JSON, schemaVersion 2, and a mediaType (when
 * present) that media_type_ok accepts; kind names the document in errors. */
int oci_document_parse(const char *json, size_t size, bool (*media_type_ok)(const char *),
		       const char *kind, cJSON **ret, struct error *err);

/* Read one descriptor object; where names it in errors ("layers[2]"). */
int oci_descriptor_parse(const struct cJSON *obj, const char *where, struct oci_descriptor *ret,
			 struct error *err);

void oci_descriptor_done(struct oci_descriptor *d);
void oci_manifest_done(struct oci_manifest *m);
void image_config_done(struct image_config *c);

/* The OCI architecture name of the machine we were built for ("amd64", "arm64", ...). */
const char *oci_host_arch(void);
