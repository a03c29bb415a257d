#include "image/image_record.h"

#include <errno.h>
#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include <cjson/cJSON.h>

#include "common/cleanup.h"
#include "common/fileio.h"
#include "common/sha256.h"
#include "image/digest.h"
#include "image/oci_json.h"
#include "protocol/json_value.h"

#define RECORD_MAX_SIZE (OCI_JSON_MAX_SIZE * 2)
#define RECORD_MAX_LAYERS 1024

static int record_file(const char *store_dir, const char *reference, const char *suffix,
		       char **ret)
{
	char hex[SHA256_HEX_LEN + 1];
	if (sha256_hex(reference, strlen(reference), hex) < 0 ||
	    asprintf(ret, "%s/records/%s%s", store_dir, hex, suffix) < 0)
		return -ENOMEM;
	return 0;
}

static int record_path(const char *store_dir, const char *reference, char **ret)
{
	return record_file(store_dir, reference, ".json", ret);
}

int image_record_pin(const char *store_dir, const char *reference)
{
	_cleanup_free_ char *path = NULL, *dir = NULL;
	if (record_file(store_dir, reference, ".lock", &path) < 0 ||
	    asprintf(&dir, "%s/records", store_dir) < 0)
		return -ENOMEM;
	int r = mkdir_parents(dir, 0700);
	if (r < 0)
		return r;
	/* The collector removes a pin file no pull holds: a pin taken on a file it just
	 * removed is taken again on the path's new file. */
	for (int attempt = 0; attempt < 100; attempt++) {
		int fd = open_locked(path, O_RDWR | O_CREAT | O_NOFOLLOW, 0600, LOCK_SH);
		if (fd < 0)
			return fd;
		struct stat held, named;
		if (fstat(fd, &held) == 0 && stat(path, &named) == 0 &&
		    held.st_ino == named.st_ino && held.st_dev == named.st_dev)
			return fd;
		close(fd);
	}
	return -EAGAIN;
}

/* Read the layer names of a record's "layers" array (hex, validated). */
static int layer_names(const cJSON *layers, char ***ret, struct error *err)
{
	if (!cJSON_IsArray(layers) || cJSON_GetArraySize(layers) > RECORD_MAX_LAYERS)
		return error_set(err, EINVAL, "not an image record");
	int n = cJSON_GetArraySize(layers), i = 0;
	char **names = calloc((size_t)n + 1, sizeof(char *));
	if (!names)
		return error_set(err, ENOMEM, "out of memory");
	const cJSON *l;
	cJSON_ArrayForEach(l, layers) {
		char with_prefix[7 + SHA256_HEX_LEN + 1], hex[SHA256_HEX_LEN + 1];
		int r = 0;
		if (!cJSON_IsString(l) || strlen(l->valuestring) != SHA256_HEX_LEN ||
		    snprintf(with_prefix, sizeof(with_prefix), "sha256:%s", l->valuestring) < 0 ||
		    digest_parse_sha256(with_prefix, hex) < 0)
			r = error_set(err, EINVAL, "not an image record: layer %d", i);
		else if (!(names[i++] = strdup(hex)))
			r = error_set(err, ENOMEM, "out of memory");
		if (r < 0) {
			for (int j = 0; j < i; j++)
				free(names[j]);
			free(names);
			return r;
		}
	}
	*ret = names;
	return 0;
}

int image_record_summary(const char *json, size_t size, char ***ret_layer_hex,
			 int64_t *ret_used_at, struct error *err)
{
	if (size > RECORD_MAX_SIZE || json_text_has_nul(json, size))
		return error_set(err, EINVAL, "not an image record");
	_cleanup_(cjson_deletep) cJSON *doc = cJSON_ParseWithLength(json, size);
	const cJSON *used = cJSON_GetObjectItemCaseSensitive(doc, "usedAt");
	int r = layer_names(cJSON_GetObjectItemCaseSensitive(doc, "layers"), ret_layer_hex, err);
	if (r < 0)
		return r;
	*ret_used_at = json_is_unsigned_integer(used) ? (int64_t)used->valuedouble : 0;
	return 0;
}

int image_record_write(const char *store_dir, const struct image *img, const char *config_json,
		       size_t config_size, struct error *err)
{
	_cleanup_free_ char *path = NULL, *dir = NULL, *text = NULL, *config = NULL;
	_cleanup_(cjson_deletep) cJSON *doc = cJSON_CreateObject();
	cJSON *layers = cJSON_CreateArray();
	if (!doc || !layers || record_path(store_dir, img->reference, &path) < 0 ||
	    asprintf(&dir, "%s/records", store_dir) < 0 || !(config = strndup(config_json, config_size)))
		return error_set(err, ENOMEM, "out of memory");
	cJSON_AddItemToObject(doc, "layers", layers);
	for (size_t i = 0; i < img->n_layers; i++) {
		const char *slash = strrchr(img->layers[i], '/');
		cJSON_AddItemToArray(layers, cJSON_CreateString(slash ? slash + 1 : img->layers[i]));
	}
	cJSON_AddStringToObject(doc, "reference", img->reference);
	cJSON_AddStringToObject(doc, "manifestDigest", img->manifest_digest);
	cJSON_AddStringToObject(doc, "config", config);
	cJSON_AddNumberToObject(doc, "pulledAt", (double)time(NULL));
	cJSON_AddNumberToObject(doc, "usedAt", (double)time(NULL));
	if (!(text = cJSON_PrintUnformatted(doc)))
		return error_set(err, ENOMEM, "out of memory");
	int r = mkdir_parents(dir, 0700);
	if (r == 0)
		r = write_file_atomic(path, text, strlen(text), 0600);
	return r < 0 ? error_set_errno(err, r, "image record %s", path) : 0;
}

int image_record_parse(const char *json, size_t size, struct image *img, char ***ret_layer_hex,
		       struct error *err)
{
	if (size > RECORD_MAX_SIZE || json_text_has_nul(json, size))
		return error_set(err, EINVAL, "not an image record");
	_cleanup_(cjson_deletep) cJSON *doc = cJSON_ParseWithLength(json, size);
	const char *digest = json_string_member(doc, "manifestDigest");
	const char *config = json_string_member(doc, "config");
	char hex[SHA256_HEX_LEN + 1];
	if (!digest || digest_parse_sha256(digest, hex) < 0 || !config)
		return error_set(err, EINVAL, "not an image record");
	char **names = NULL;
	int r = layer_names(cJSON_GetObjectItemCaseSensitive(doc, "layers"), &names, err);
	if (r < 0)
		return r;
	int i = 0;
	while (names[i])
		i++;
	if (r == 0 && oci_config_parse(config, strlen(config), &img->config, err) < 0)
		r = error_wrap(err, "image record config");
	if (r == 0 && !(img->manifest_digest = strdup(digest)))
		r = error_set(err, ENOMEM, "out of memory");
	if (r < 0) {
		for (int j = 0; j < i; j++)
			free(names[j]);
		free(names);
		return r;
	}
	*ret_layer_hex = names;
	return 0;
}

/* The record was used now: the collector evicts the least recently used first. */
static void touch(const char *path, const char *json, size_t size)
{
	_cleanup_(cjson_deletep) cJSON *doc = cJSON_ParseWithLength(json, size);
	if (!doc)
		return;
	cJSON_DeleteItemFromObjectCaseSensitive(doc, "usedAt");
	cJSON_AddNumberToObject(doc, "usedAt", (double)time(NULL));
	_cleanup_free_ char *text = cJSON_PrintUnformatted(doc);
	if (text)
		(void)write_file_atomic(path, text, strlen(text), 0600);
}

int image_record_load(const char *store_dir, const char *layers_dir, const char *reference,
		      struct image **ret, struct error *err)
{
	_cleanup_free_ char *path = NULL, *json = NULL;
	size_t size = 0;
	if (record_path(store_dir, reference, &path) < 0)
		return error_set(err, ENOMEM, "out of memory");
	int r = read_file_full(path, RECORD_MAX_SIZE, &json, &size);
	if (r < 0)
		return r == -ENOENT ? error_set(err, ENOENT, "%s was never pulled here", reference)
				    : error_set_errno(err, r, "image record %s", path);
	struct image *img = calloc(1, sizeof(*img));
	if (!img || !(img->reference = strdup(reference))) {
		image_free(img);
		return error_set(err, ENOMEM, "out of memory");
	}
	char **hex = NULL;
	r = image_record_parse(json, size, img, &hex, err);
	if (r < 0) {
		image_free(img);
		return error_wrap(err, "%s", path);
	}
	size_t n = 0;
	while (hex[n])
		n++;
	img->layers = calloc(n + 1, sizeof(char *));
	for (size_t i = 0; r == 0 && i < n; i++) {
		struct stat st;
		if (!img->layers || asprintf(&img->layers[i], "%s/%s", layers_dir, hex[i]) < 0)
			r = error_set(err, ENOMEM, "out of memory");
		else if (img->n_layers++, stat(img->layers[i], &st) < 0 || !S_ISDIR(st.st_mode))
			r = error_set(err, ENOENT, "%s: layer %s is no longer in the store", reference,
				      hex[i]);
	}
	for (size_t i = 0; i < n; i++)
		free(hex[i]);
	free(hex);
	if (r < 0) {
		image_free(img);
		return r;
	}
	touch(path, json, size);
	*ret = img;
	return 0;
}
