/* Image manifest and image config documents. */
#include "image/oci_json.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "common/cleanup.h"

/* Bounds on what an image config may hold; real images stay far below them. */
#define CONFIG_MAX_ITEMS 4096
#define CONFIG_MAX_STRING (64u << 10)
#define MANIFEST_MAX_LAYERS 256

static const char *const config_types[] = {
	"application/vnd.oci.image.config.v1+json",
	"application/vnd.docker.container.image.v1+json",
};

int oci_manifest_parse(const char *json, size_t size, struct oci_manifest *ret,
		       struct error *err)
{
	_cleanup_(cjson_deletep) cJSON *doc = NULL;
	int r = oci_document_parse(json, size, oci_media_type_is_manifest, "manifest", &doc, err);
	if (r < 0)
		return r;

	struct oci_manifest m = { 0 };
	r = oci_descriptor_parse(cJSON_GetObjectItemCaseSensitive(doc, "config"), "config",
				     &m.config, err);
	if (r < 0)
		return r;
	bool known_config = false;
	for (size_t i = 0; i < ELEMENTSOF(config_types); i++)
		known_config |= !strcmp(m.config.media_type, config_types[i]);
	if (!known_config) {
		r = error_set(err, EINVAL, "config: mediaType \"%.80s\" is not an image config",
			      m.config.media_type);
		goto fail;
	}

	const cJSON *layers = cJSON_GetObjectItemCaseSensitive(doc, "layers");
	if (!cJSON_IsArray(layers)) {
		r = error_set(err, EINVAL, "layers is missing or not an array");
		goto fail;
	}
	int n = cJSON_GetArraySize(layers);
	if (n > MANIFEST_MAX_LAYERS) {
		r = error_set(err, E2BIG, "%d layers, more than %d", n, MANIFEST_MAX_LAYERS);
		goto fail;
	}
	m.layers = calloc((size_t)n + 1, sizeof(*m.layers));
	if (!m.layers) {
		r = error_set(err, ENOMEM, "layers: out of memory");
		goto fail;
	}
	const cJSON *layer;
	cJSON_ArrayForEach(layer, layers) {
		char where[32];
		snprintf(where, sizeof(where), "layers[%zu]", m.n_layers);
		r = oci_descriptor_parse(layer, where, &m.layers[m.n_layers], err);
		if (r < 0)
			goto fail;
		m.n_layers++;
		if (!oci_media_type_is_layer(m.layers[m.n_layers - 1].media_type)) {
			r = error_set(err, EINVAL, "%s: mediaType \"%.80s\" is not a supported layer type",
				      where, m.layers[m.n_layers - 1].media_type);
			goto fail;
		}
	}
	*ret = m;
	return 0;
fail:
	oci_manifest_done(&m);
	return r;
}

static void strv_release(char **strv)
{
	for (char **s = strv; s && *s; s++)
		free(*s);
	free(strv);
}

void image_config_done(struct image_config *c)
{
	strv_release(c->entrypoint);
	strv_release(c->cmd);
	strv_release(c->env);
	free(c->working_dir);
	free(c->user);
	*c = (struct image_config){ 0 };
}

/* An optional string (absent or null gives NULL). */
static int config_string(const cJSON *obj, const char *name, char **ret, struct error *err)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(obj, name);
	if (!v || cJSON_IsNull(v))
		return 0;
	if (!cJSON_IsString(v) || strlen(v->valuestring) > CONFIG_MAX_STRING)
		return error_set(err, EINVAL, "config.%s: expected a string of at most %u bytes",
				 name, CONFIG_MAX_STRING);
	/* An empty WorkingDir or User means unset, as docker treats it. */
	if (!v->valuestring[0])
		return 0;
	*ret = strdup(v->valuestring);
	return *ret ? 0 : error_set(err, ENOMEM, "config.%s: out of memory", name);
}

/* An optional array of strings as a NULL-terminated vector (absent or null gives NULL). */
static int config_strv(const cJSON *obj, const char *name, char ***ret, struct error *err)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(obj, name);
	if (!v || cJSON_IsNull(v))
		return 0;
	if (!cJSON_IsArray(v))
		return error_set(err, EINVAL, "config.%s: expected an array of strings", name);
	int n = cJSON_GetArraySize(v);
	if (n > CONFIG_MAX_ITEMS)
		return error_set(err, E2BIG, "config.%s: more than %d items", name, CONFIG_MAX_ITEMS);
	char **strv = calloc((size_t)n + 1, sizeof(char *));
	if (!strv)
		return error_set(err, ENOMEM, "config.%s: out of memory", name);
	size_t i = 0;
	const cJSON *item;
	cJSON_ArrayForEach(item, v) {
		if (!cJSON_IsString(item) || strlen(item->valuestring) > CONFIG_MAX_STRING) {
			strv_release(strv);
			return error_set(err, EINVAL, "config.%s[%zu]: expected a string of at most %u bytes",
					 name, i, CONFIG_MAX_STRING);
		}
		strv[i] = strdup(item->valuestring);
		if (!strv[i]) {
			strv_release(strv);
			return error_set(err, ENOMEM, "config.%s: out of memory", name);
		}
		i++;
	}
	*ret = strv;
	return 0;
}

int oci_config_parse(const char *json, size_t size, struct image_config *ret, struct error *err)
{
	cJSON *root = cJSON_ParseWithLength(json, size);
	if (!root)
		return error_set(err, EINVAL, "not valid JSON");
	_cleanup_(cjson_deletep) cJSON *doc = root;
	if (!cJSON_IsObject(doc))
		return error_set(err, EINVAL, "expected an object");
	const cJSON *os = cJSON_GetObjectItemCaseSensitive(doc, "os");
	if (cJSON_IsString(os) && strcmp(os->valuestring, "linux") != 0)
		return error_set(err, EINVAL, "image is for os \"%.40s\", not linux", os->valuestring);
	/* "config" is optional in an image config: an image may set nothing to run. */
	const cJSON *config = cJSON_GetObjectItemCaseSensitive(doc, "config");
	if (config && !cJSON_IsNull(config) && !cJSON_IsObject(config))
		return error_set(err, EINVAL, "config: expected an object");

	struct image_config c = { 0 };
	int r = config_strv(config, "Entrypoint", &c.entrypoint, err);
	if (r == 0)
		r = config_strv(config, "Cmd", &c.cmd, err);
	if (r == 0)
		r = config_strv(config, "Env", &c.env, err);
	if (r == 0)
		r = config_string(config, "WorkingDir", &c.working_dir, err);
	if (r == 0)
		r = config_string(config, "User", &c.user, err);
	if (r < 0) {
		image_config_done(&c);
		return r;
	}
	*ret = c;
	return 0;
}
