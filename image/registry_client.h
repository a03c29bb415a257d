/* A client of one repository of one registry over the OCI distribution API: the base URL
 * (https, plain http only for loopback and listed insecure registries, a mirror for Docker
 * Hub), authentication (anonymous, Basic, Bearer tokens from the WWW-Authenticate challenge,
 * kept until they expire), retries of transient failures with jittered back-off, and blobs
 * verified by sha256 as they stream, a cut transfer resumed with a Range request. */
#pragma once

#include <stddef.h>
#include <stdint.h>

#include "common/error.h"
#include "image/image.h"
#include "image/image_ref.h"
#include "image/oci_json.h"

struct registry_client;

int registry_client_new(const struct image_ref *ref, const struct registry_options *options,
			struct registry_client **ret, struct error *err);
/* Where registry_fetch_blob counts the bytes it fetches (may be NULL). */
void registry_client_count_into(struct registry_client *c, struct image_pull_progress *progress);
void registry_client_free(struct registry_client *c);

/* GET the manifest (or index) NAME (a tag or a digest), at most OCI_JSON_MAX_SIZE bytes: its
 * body, media type and digest (computed over the body; a digest NAME must match it). */
int registry_get_manifest(struct registry_client *c, const char *name, char **ret_body,
			  size_t *ret_size, char **ret_media_type, char **ret_digest,
			  struct error *err);

/* GET a small blob (an image config) into memory, size and digest verified. */
int registry_get_blob(struct registry_client *c, const struct oci_descriptor *desc,
		      char **ret_body, size_t *ret_size, struct error *err);

/* Fetch a blob into the file FD (opened read-write), continuing from what it holds already
 * (a transfer cut before); on return 0 the file holds exactly the blob, size and digest
 * verified. A digest mismatch empties the file and is -EBADMSG. */
int registry_fetch_blob(struct registry_client *c, const struct oci_descriptor *desc, int fd,
			struct error *err);
