/* Resolving a container's process from its definition and image, and its config.json form. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "common/cleanup.h"
#include "container/container_config.h"
#include "protocol/json_value.h"

static size_t strv_len(char *const *v)
{
	size_t n = 0;
	while (v && v[n])
		n++;
	return n;
}

/* Append copies of SRC to *V (which holds *N entries and stays NULL-terminated). */
static int strv_extend(char ***v, size_t *n, char *const *src)
{
	size_t add = strv_len(src);
	char **grown = realloc(*v, (*n + add + 1) * sizeof(char *));
	if (!grown)
		return -ENOMEM;
	*v = grown;
	for (size_t i = 0; i < add; i++) {
		grown[*n] = strdup(src[i]);
		if (!grown[*n])
			return -ENOMEM;
		(*n)++;
		grown[*n] = NULL;
	}
	grown[*n] = NULL;
	return 0;
}

static int env_set(char ***env, size_t *n, const char *name, const char *value)
{
	char *entry;
	if (asprintf(&entry, "%s=%s", name, value) < 0)
		return -ENOMEM;
	size_t nlen = strlen(name);
	for (size_t i = 0; i < *n; i++) {
		if (!strncmp((*env)[i], name, nlen) && (*env)[i][nlen] == '=') {
			free((*env)[i]);
			(*env)[i] = entry;
			return 0;
		}
	}
	char *one[] = { entry, NULL };
	int r = strv_extend(env, n, one);
	free(entry);
	return r;
}

int container_config_set_env(struct container_config *cfg, const char *name, const char *value)
{
	size_t n = 0;
	while (cfg->env && cfg->env[n])
		n++;
	return env_set(&cfg->env, &n, name, value);
}

static bool env_has(char **env, const char *name)
{
	size_t nlen = strlen(name);
	for (char **p = env; p && *p; p++)
		if (!strncmp(*p, name, nlen) && (*p)[nlen] == '=')
			return true;
	return false;
}

static int dup_or_null(const char *s, char **ret)
{
	*ret = NULL;
	if (s && !(*ret = strdup(s)))
		return -ENOMEM;
	return 0;
}

int container_config_resolve(const struct taskdef_container *def, const char *network_mode,
			     const struct image_config *img, const char *task_id,
			     char *const *layers, const char *cgroup,
			     struct container_config **ret, struct error *err)
{
	_cleanup_(container_config_freep) struct container_config *cfg = calloc(1, sizeof(*cfg));
	if (!cfg)
		return error_set(err, ENOMEM, "container config");
	static const struct image_config no_image = { 0 };
	if (!img)
		img = &no_image;

	char *const *entry = def->entry_point ? def->entry_point : img->entrypoint;
	/* An entryPoint given by the definition resets the image's Cmd, as `docker run
	 * --entrypoint` does. */
	char *const *cmd = def->command ? def->command : def->entry_point ? NULL : img->cmd;
	size_t n = 0;
	if (strv_extend(&cfg->args, &n, entry) < 0 || strv_extend(&cfg->args, &n, cmd) < 0)
		return error_set(err, ENOMEM, "container args");
	if (n == 0)
		return error_set(err, EINVAL, "container %s: no command specified (neither the "
				 "definition nor the image sets entryPoint or command)", def->name);

	size_t ne = 0;
	if (strv_extend(&cfg->env, &ne, img->env) < 0)
		return error_set(err, ENOMEM, "container env");
	for (size_t i = 0; i < def->n_environment; i++)
		if (env_set(&cfg->env, &ne, def->environment[i].name, def->environment[i].value) < 0)
			return error_set(err, ENOMEM, "container env");
	if (!env_has(cfg->env, "PATH") && env_set(&cfg->env, &ne, "PATH", CONTAINER_DEFAULT_PATH) < 0)
		return error_set(err, ENOMEM, "container env");

	const char *cwd = def->working_directory ? def->working_directory
			  : img->working_dir && *img->working_dir ? img->working_dir : "/";
	const char *user = def->user ? def->user : img->user && *img->user ? img->user : NULL;
	char host[13];
	snprintf(host, sizeof(host), "%s", task_id);
	size_t nl = 0;
	if (dup_or_null(cwd, &cfg->cwd) < 0 || dup_or_null(user, &cfg->user) < 0 ||
	    dup_or_null(def->hostname ? def->hostname : host, &cfg->hostname) < 0 ||
	    dup_or_null(cgroup, &cfg->cgroup) < 0 || strv_extend(&cfg->layers, &nl, layers) < 0)
		return error_set(err, ENOMEM, "container config");
	if (!cfg->layers && !(cfg->layers = calloc(1, sizeof(char *))))
		return error_set(err, ENOMEM, "container config");
	cfg->stop_timeout = def->stop_timeout;
	cfg->storage.shm_size_mib = CONTAINER_DEFAULT_SHM_MIB;
	container_security_resolve(def, network_mode, &cfg->security);
	if (container_devices_resolve(&def->linux_parameters, &cfg->devices) < 0 ||
	    container_health_resolve(&def->health_check, &cfg->health_check) < 0)
		return error_set(err, ENOMEM, "container devices and health check");
	*ret = TAKE_PTR(cfg);
	return 0;
}

void container_config_free(struct container_config *cfg)
{
	if (!cfg)
		return;
	json_strv_free(cfg->args);
	json_strv_free(cfg->env);
	json_strv_free(cfg->layers);
	free(cfg->cwd);
	free(cfg->user);
	free(cfg->hostname);
	free(cfg->cgroup);
	container_storage_release(&cfg->storage);
	container_log_release(&cfg->log);
	container_devices_release(&cfg->devices);
	taskdef_health_release(&cfg->health_check);
	free(cfg);
}

static cJSON *strv_to_json(char *const *v)
{
	cJSON *a = cJSON_CreateArray();
	for (size_t i = 0; a && v && v[i]; i++)
		if (!cJSON_AddItemToArray(a, cJSON_CreateString(v[i]))) {
			cJSON_Delete(a);
			return NULL;
		}
	return a;
}

int container_config_to_json(const struct container_config *cfg, char **ret_text)
{
	cJSON *o = cJSON_CreateObject();
	if (!o)
		return -ENOMEM;
	bool ok = cJSON_AddItemToObject(o, "args", strv_to_json(cfg->args)) &&
		  cJSON_AddItemToObject(o, "env", strv_to_json(cfg->env)) &&
		  cJSON_AddStringToObject(o, "cwd", cfg->cwd) &&
		  (cfg->user ? cJSON_AddStringToObject(o, "user", cfg->user) != NULL
			     : cJSON_AddNullToObject(o, "user") != NULL) &&
		  cJSON_AddStringToObject(o, "hostname", cfg->hostname) &&
		  cJSON_AddItemToObject(o, "layers", strv_to_json(cfg->layers)) &&
		  cJSON_AddStringToObject(o, "cgroup", cfg->cgroup) &&
		  cJSON_AddNumberToObject(o, "stop_timeout", cfg->stop_timeout) &&
		  cJSON_AddBoolToObject(o, "inherit_output", cfg->inherit_output) &&
		  container_storage_to_json(&cfg->storage, o) &&
		  container_security_to_json(&cfg->security, o) &&
		  container_devices_to_json(&cfg->devices, o) &&
		  container_health_to_json(&cfg->health_check, o) &&
		  (!cfg->log.driver ||
		   cJSON_AddItemToObject(o, "log", container_log_to_json(&cfg->log)));
	char *text = ok ? cJSON_Print(o) : NULL;
	cJSON_Delete(o);
	if (!text)
		return -ENOMEM;
	*ret_text = text;
	return 0;
}

static int strv_from_json(const cJSON *a, bool required, char ***ret)
{
	if (!a && !required) {
		*ret = NULL;
		return 0;
	}
	if (!cJSON_IsArray(a))
		return -EINVAL;
	size_t n = (size_t)cJSON_GetArraySize(a);
	char **v = calloc(n + 1, sizeof(char *));
	if (!v)
		return -ENOMEM;
	size_t i = 0;
	const cJSON *it;
	cJSON_ArrayForEach(it, a) {
		if (!cJSON_IsString(it) || !(v[i++] = strdup(it->valuestring))) {
			json_strv_free(v);
			return -EINVAL;
		}
	}
	*ret = v;
	return 0;
}

static int string_field(const cJSON *o, const char *name, bool required, char **ret)
{
	const cJSON *s = cJSON_GetObjectItemCaseSensitive(o, name);
	if (!s || cJSON_IsNull(s)) {
		*ret = NULL;
		return required ? -EINVAL : 0;
	}
	if (!cJSON_IsString(s))
		return -EINVAL;
	return dup_or_null(s->valuestring, ret);
}

int container_config_from_json(const char *text, struct container_config **ret,
			       struct error *err)
{
	cJSON *o = cJSON_Parse(text);
	if (!cJSON_IsObject(o)) {
		cJSON_Delete(o);
		return error_set(err, EINVAL, "config.json: not a JSON object");
	}
	_cleanup_(container_config_freep) struct container_config *cfg = calloc(1, sizeof(*cfg));
	int r = cfg ? 0 : -ENOMEM;
	const cJSON *timeout = cJSON_GetObjectItemCaseSensitive(o, "stop_timeout");
	if (r == 0)
		r = strv_from_json(cJSON_GetObjectItemCaseSensitive(o, "args"), true, &cfg->args);
	if (r == 0)
		r = strv_from_json(cJSON_GetObjectItemCaseSensitive(o, "env"), true, &cfg->env);
	if (r == 0)
		r = strv_from_json(cJSON_GetObjectItemCaseSensitive(o, "layers"), true, &cfg->layers);
	if (r == 0)
		r = string_field(o, "cwd", true, &cfg->cwd);
	if (r == 0)
		r = string_field(o, "user", false, &cfg->user);
	if (r == 0)
		r = string_field(o, "hostname", true, &cfg->hostname);
	if (r == 0)
		r = string_field(o, "cgroup", true, &cfg->cgroup);
	if (r == 0)
		r = container_storage_from_json(o, &cfg->storage);
	if (r == 0 && (!cJSON_IsNumber(timeout) || timeout->valuedouble < 0 ||
		       timeout->valuedouble > 3600))
		r = -EINVAL;
	if (r == 0) {
		cfg->stop_timeout = (uint32_t)timeout->valuedouble;
		cfg->inherit_output = cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(o, "inherit_output"));
		if (!cfg->args[0])
			r = -EINVAL;
	}
	if (r == 0)
		r = container_security_from_json(o, &cfg->security);
	if (r == 0)
		r = container_devices_from_json(o, &cfg->devices);
	if (r == 0)
		r = container_health_from_json(o, &cfg->health_check);
	/* A config.json without "log" (written by hand, or by an agent from before log drivers)
	 * gets json-file with its defaults. */
	const cJSON *log = cJSON_GetObjectItemCaseSensitive(o, "log");
	static const struct taskdef_log json_file = { .driver = &log_driver_json_file };
	if (r == 0)
		r = log ? container_log_from_json(log, &cfg->log)
			: container_log_resolve(&json_file, "", "", false, &cfg->log);
	cJSON_Delete(o);
	if (r < 0)
		return error_set(err, -r, "config.json: invalid or missing field");
	*ret = TAKE_PTR(cfg);
	return 0;
}

int container_config_cgroup_from_json(const char *text, char **ret)
{
	cJSON *o = cJSON_Parse(text);
	int r = cJSON_IsObject(o) ? string_field(o, "cgroup", true, ret) : -EINVAL;
	cJSON_Delete(o);
	return r;
}
