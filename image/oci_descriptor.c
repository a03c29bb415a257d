/* Descriptors, media types and image index selection. */
#include "image/oci_json.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "common/cleanup.h"
#include "image/digest.h"
#include "protocol/json_value.h"

static const char *const index_types[] = {
	"application/vnd.oci.image.index.v1+json",
	"application/vnd.docker.distribution.manifest.list.v2+json",
};
static const char *const manifest_types[] = {
	"application/vnd.oci.image.manifest.v1+json",
	"application/vnd.docker.distribution.manifest.v2+json",
};
static const char *const layer_types[] = {
	"application/vnd.oci.image.layer.v1.tar",
	"application/vnd.oci.image.layer.v1.tar+gzip",
	"application/vnd.oci.image.layer.v1.tar+zstd",
	"application/vnd.oci.image.layer.nondistributable.v1.tar",
	"application/vnd.oci.image.layer.nondistributable.v1.tar+gzip",
	"application/vnd.oci.image.layer.nondistributable.v1.tar+zstd",
	"application/vnd.docker.image.rootfs.diff.tar.gzip",
	"application/vnd.docker.image.rootfs.foreign.diff.tar.gzip",
};

static bool in_list(const char *s, const char *const *list, size_t n)
{
	for (size_t i = 0; s && i < n; i++)
		if (!strcmp(s, list[i]))
			return true;
	return false;
}

bool oci_media_type_is_index(const char *media_type)
{
	return in_list(media_type, index_types, ELEMENTSOF(index_types));
}

bool oci_media_type_is_manifest(const char *media_type)
{
	return in_list(media_type, manifest_types, ELEMENTSOF(manifest_types));
}

bool oci_media_type_is_layer(const char *media_type)
{
	return in_list(media_type, layer_types, ELEMENTSOF(layer_types));
}

const char *oci_host_arch(void)
{
#if defined(__x86_64__)
	return "amd64";
#elif defined(__aarch64__)
	return "arm64";
#elif defined(__arm__)
	return "arm";
#elif defined(__i386__)
	return "386";
#elif defined(__powerpc64__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
	return "ppc64le";
#elif defined(__s390x__)
	return "s390x";
#elif defined(__riscv) && __riscv_xlen == 64
	return "riscv64";
#else
	return "unknown";
#endif
}

void oci_descriptor_done(struct oci_descriptor *d)
{
	free(d->media_type);
	free(d->digest);
	*d = (struct oci_descriptor){ 0 };
}

void oci_manifest_done(struct oci_manifest *m)
{
	oci_descriptor_done(&m->config);
	for (size_t i = 0; i < m->n_layers; i++)
		oci_descriptor_done(&m->layers[i]);
	free(m->layers);
	*m = (struct oci_manifest){ 0 };
}

int oci_descriptor_parse(const cJSON *obj, const char *where, struct oci_descriptor *ret,
			 struct error *err)
{
	if (!cJSON_IsObject(obj))
		return error_set(err, EINVAL, "%s: expected a descriptor object", where);
	const char *media_type = json_string_member(obj, "mediaType");
	const char *digest = json_string_member(obj, "digest");
	const cJSON *size = cJSON_GetObjectItemCaseSensitive(obj, "size");
	char hex[SHA256_HEX_LEN + 1];
	if (!media_type || strlen(media_type) > 255)
		return error_set(err, EINVAL, "%s: mediaType missing or too long", where);
	if (!digest)
		return error_set(err, EINVAL, "%s: digest missing", where);
	if (digest_parse_sha256(digest, hex) < 0)
		return error_set(err, EINVAL, "%s: digest \"%.80s\" is not sha256:<64 hex digits>",
				 where, digest);
	/* Sizes beyond 2^53 cannot be held exactly by a JSON number; no blob is that large. */
	if (!cJSON_IsNumber(size) || !isfinite(size->valuedouble) || size->valuedouble < 0 ||
	    size->valuedouble > 9007199254740991.0 || size->valuedouble != floor(size->valuedouble))
		return error_set(err, EINVAL, "%s: size missing or not a non-negative integer", where);
	struct oci_descriptor d = {
		.media_type = strdup(media_type),
		.digest = strdup(digest),
		.size = (uint64_t)size->valuedouble,
	};
	if (!d.media_type || !d.digest) {
		oci_descriptor_done(&d);
		return error_set(err, ENOMEM, "%s: out of memory", where);
	}
	*ret = d;
	return 0;
}

/* The CPU variant this program was built for, as OCI platforms name it ("v7" of arm), or
 * NULL where the architecture has none that images tell apart. */
static const char *host_variant(const char *arch)
{
	if (!strcmp(arch, "arm64"))
		return "v8";
#if defined(__arm__) && defined(__ARM_ARCH)
	if (!strcmp(arch, "arm"))
		return __ARM_ARCH >= 7 ? "v7" : __ARM_ARCH == 6 ? "v6" : "v5";
#endif
	return NULL;
}

/* linux/ARCH, and the variant when the entry names one: an arm64 image says v8 or nothing,
 * an arm image built for v7 does not run on a v6 device. */
static bool platform_matches(const cJSON *entry, const char *arch)
{
	const cJSON *platform = cJSON_GetObjectItemCaseSensitive(entry, "platform");
	const char *os = json_string_member(platform, "os");
	const char *architecture = json_string_member(platform, "architecture");
	const char *variant = json_string_member(platform, "variant");
	const char *ours = host_variant(arch);
	return os && architecture && !strcmp(os, "linux") && !strcmp(architecture, arch) &&
	       (!variant || !ours || !strcmp(variant, ours));
}

int oci_document_parse(const char *json, size_t size, bool (*media_type_ok)(const char *),
		       const char *kind, cJSON **ret, struct error *err)
{
	cJSON *root = cJSON_ParseWithLength(json, size);
	if (!root)
		return error_set(err, EINVAL, "not valid JSON");
	_cleanup_(cjson_deletep) cJSON *doc = root;
	const cJSON *version = cJSON_GetObjectItemCaseSensitive(doc, "schemaVersion");
	if (!cJSON_IsNumber(version) || version->valuedouble != 2)
		return error_set(err, EINVAL, "schemaVersion is not 2");
	/* mediaType is optional in OCI documents, but when present it must say what we expect. */
	const cJSON *media_type = cJSON_GetObjectItemCaseSensitive(doc, "mediaType");
	if (media_type && !(cJSON_IsString(media_type) && media_type_ok(media_type->valuestring)))
		return error_set(err, EINVAL, "mediaType \"%.80s\" is not an image %s",
				 cJSON_IsString(media_type) ? media_type->valuestring : "", kind);
	*ret = TAKE_PTR(doc);
	return 0;
}

int oci_index_select(const char *json, size_t size, const char *tag, const char *arch,
		     struct oci_descriptor *ret, struct error *err)
{
	_cleanup_(cjson_deletep) cJSON *doc = NULL;
	int r = oci_document_parse(json, size, oci_media_type_is_index, "index", &doc, err);
	if (r < 0)
		return r;
	const cJSON *manifests = cJSON_GetObjectItemCaseSensitive(doc, "manifests");
	if (!cJSON_IsArray(manifests))
		return error_set(err, EINVAL, "manifests is missing or not an array");

	const cJSON *chosen = NULL, *entry;
	int n_entries = cJSON_GetArraySize(manifests), n_matches = 0;
	cJSON_ArrayForEach(entry, manifests) {
		if (tag) {
			const cJSON *annotations = cJSON_GetObjectItemCaseSensitive(entry, "annotations");
			const char *name = json_string_member(annotations, OCI_REF_NAME_ANNOTATION);
			if (!name || strcmp(name, tag) != 0)
				continue;
			/* Several entries may carry the tag (one per platform): prefer ours. */
			if (!chosen || (platform_matches(entry, arch) && !platform_matches(chosen, arch)))
				chosen = entry;
			n_matches++;
		} else if (platform_matches(entry, arch)) {
			chosen = entry;
			break;
		}
	}
	/* A nested index with a single entry that names no platform: take it. */
	if (!tag && !chosen && n_entries == 1 &&
	    !cJSON_GetObjectItemCaseSensitive(manifests->child, "platform"))
		chosen = manifests->child;
	if (!chosen) {
		if (tag)
			return error_set(err, ENOENT, "no manifest is tagged \"%s\"", tag);
		return error_set(err, ENOENT, "no manifest for platform linux/%s", arch);
	}
	if (tag && n_matches > 1 && !platform_matches(chosen, arch))
		return error_set(err, ENOENT, "tag \"%s\" has no manifest for platform linux/%s", tag,
				 arch);
	return oci_descriptor_parse(chosen, "manifests[]", ret, err);
}
