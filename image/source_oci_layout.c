/* The "oci:" image source: an OCI image layout folder on disk, "oci:/path/to/layout[:tag]"
 * (the tag defaults to "latest"), for air-gapped hosts. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "common/cleanup.h"
#include "image/image_source.h"
#include "image/oci_json.h"
#include "image/oci_layout.h"

#define OCI_PREFIX "oci:"
#define DEFAULT_TAG "latest"
#define TAG_MAX 128
/* Image indexes may nest (a tagged index pointing at a per-platform index); bound the chain. */
#define INDEX_MAX_DEPTH 4

struct oci_layout_origin {
	int layout_fd;
	char *tag;
};

/* Split "oci:/path[:tag]" into a layout path and a tag (both allocated); the image sources
 * table gives only references that start with "oci:". */
static int parse_reference(const char *reference, char **ret_path, char **ret_tag,
			   struct error *err)
{
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

static void layout_close(void *state)
{
	struct oci_layout_origin *o = state;
	if (!o)
		return;
	if (o->layout_fd >= 0)
		close(o->layout_fd);
	free(o->tag);
	free(o);
}

static int layout_open(const char *reference, const struct image_pull_options *options,
		       void **ret_state, struct error *err)
{
	(void)options; /* a layout on disk needs no settings */
	_cleanup_free_ char *path = NULL, *tag = NULL;
	int r = parse_reference(reference, &path, &tag, err);
	if (r < 0)
		return r;
	struct oci_layout_origin *o = calloc(1, sizeof(*o));
	if (!o)
		return error_set(err, ENOMEM, "out of memory");
	o->tag = TAKE_PTR(tag);
	o->layout_fd = oci_layout_open(path, err);
	if (o->layout_fd < 0) {
		layout_close(o);
		/* Named as image_pull names every failure past the reference's own checks. */
		return error_wrap(err, "pull %s", reference);
	}
	*ret_state = o;
	return 0;
}

static int layout_manifest(void *state, struct oci_descriptor *ret, struct error *err)
{
	struct oci_layout_origin *o = state;
	return resolve_manifest(o->layout_fd, o->tag, ret, err);
}

static int layout_read_json_blob(void *state, const struct oci_descriptor *desc, char **ret,
				 size_t *ret_size, struct error *err)
{
	struct oci_layout_origin *o = state;
	return oci_layout_read_json_blob(o->layout_fd, desc, ret, ret_size, err);
}

static int layout_open_blob(void *state, const struct oci_descriptor *desc, struct error *err)
{
	struct oci_layout_origin *o = state;
	return oci_layout_open_blob(o->layout_fd, desc, err);
}

const struct image_source image_source_oci_layout = {
	.scheme = OCI_PREFIX,
	.usage = "an oci:/path/to/layout[:tag] reference to a local OCI image layout",
	.open = layout_open,
	.manifest = layout_manifest,
	.read_json_blob = layout_read_json_blob,
	.open_blob = layout_open_blob,
	.close = layout_close,
};
