/* Resolving a container's mounts and name files from its definition, and their config.json
 * form. */
#include "container/container_storage.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/cleanup.h"
#include "common/fileio.h"
#include "container/tmpfs_options.h"
#include "protocol/json_value.h"
#include "protocol/taskdef_mounts.h"

static struct container_mount *grow(struct container_storage *st)
{
	struct container_mount *grown = realloc(st->mounts, (st->n_mounts + 1) * sizeof(*grown));
	if (!grown)
		return NULL;
	st->mounts = grown;
	grown[st->n_mounts] = (struct container_mount){ 0 };
	return &grown[st->n_mounts++];
}

struct resolving {
	const struct taskdef *td;
	const char *task_folder;
	struct container_storage *st;
};

static int add_mount(void *userdata, const struct taskdef_mount_point *mp, bool read_only)
{
	struct resolving *res = userdata;
	const struct taskdef_volume *vol = taskdef_find_volume(res->td, mp->source_volume);
	if (!vol)
		return -ENOENT; /* taskdef_mounts_check refuses such definitions */
	struct container_mount *m = grow(res->st);
	if (!m)
		return -ENOMEM;
	m->read_only = read_only;
	if (vol->host_source_path)
		m->source = strdup(vol->host_source_path);
	else if (asprintf(&m->source, "%s/%s/%s", res->task_folder, CONTAINER_VOLUMES_FOLDER,
			  vol->name) < 0)
		m->source = NULL;
	m->destination = strdup(mp->container_path);
	return m->source && m->destination ? 0 : -ENOMEM;
}

static int strv_copy(char *const *src, char ***ret)
{
	*ret = NULL;
	if (!src)
		return 0;
	size_t n = 0;
	while (src[n])
		n++;
	char **v = calloc(n + 1, sizeof(char *));
	if (!v)
		return -ENOMEM;
	for (size_t i = 0; i < n; i++)
		if (!(v[i] = strdup(src[i]))) {
			json_strv_free(v);
			return -ENOMEM;
		}
	*ret = v;
	return 0;
}

static int add_tmpfs(struct container_storage *st, const struct taskdef_tmpfs *t)
{
	struct container_mount *m = grow(st);
	if (!m)
		return -ENOMEM;
	int r = taskdef_path_normalize(t->container_path, &m->destination);
	if (r < 0)
		return r;
	return tmpfs_options_parse(t->mount_options, t->size_mib, &m->tmpfs_flags,
				   &m->tmpfs_options);
}

static size_t path_depth(const char *path)
{
	size_t n = 0;
	for (; *path; path++)
		n += *path == '/';
	return n;
}

/* Parents before children, as Docker sorts them: a tmpfs at /data must not hide a volume
 * at /data/x. Insertion sort keeps the given order among equals. */
static void sort_by_depth(struct container_storage *st)
{
	for (size_t i = 1; i < st->n_mounts; i++) {
		struct container_mount m = st->mounts[i];
		size_t depth = path_depth(m.destination), j = i;
		for (; j > 0 && path_depth(st->mounts[j - 1].destination) > depth; j--)
			st->mounts[j] = st->mounts[j - 1];
		st->mounts[j] = m;
	}
}

int container_storage_resolve(const struct taskdef *td, const struct taskdef_container *def,
			      const char *task_folder, struct container_storage *st,
			      struct error *err)
{
	st->readonly_root = def->readonly_root_filesystem;
	st->shm_size_mib = def->linux_parameters.shared_memory_size_mib ?
			   def->linux_parameters.shared_memory_size_mib : CONTAINER_DEFAULT_SHM_MIB;
	struct resolving res = { .td = td, .task_folder = task_folder, .st = st };
	int r = taskdef_container_mounts(td, def, add_mount, &res);
	for (size_t i = 0; r >= 0 && i < def->linux_parameters.n_tmpfs; i++)
		r = add_tmpfs(st, &def->linux_parameters.tmpfs[i]);
	if (r < 0)
		return error_set_errno(err, r, "container %s: mounts", def->name);
	sort_by_depth(st);
	if (strv_copy(def->dns_servers, &st->dns_servers) < 0 ||
	    strv_copy(def->dns_search_domains, &st->dns_search) < 0)
		return error_set(err, ENOMEM, "container %s: dns", def->name);
	if (def->n_extra_hosts) {
		st->extra_hosts = calloc(def->n_extra_hosts + 1, sizeof(char *));
		if (!st->extra_hosts)
			return error_set(err, ENOMEM, "container %s: extraHosts", def->name);
		for (size_t i = 0; i < def->n_extra_hosts; i++)
			if (asprintf(&st->extra_hosts[i], "%s %s", def->extra_hosts[i].ip_address,
				     def->extra_hosts[i].hostname) < 0) {
				st->extra_hosts[i] = NULL;
				return error_set(err, ENOMEM, "container %s: extraHosts", def->name);
			}
	}
	return 0;
}

int container_storage_create_sources(const struct container_storage *st, struct error *err)
{
	for (size_t i = 0; i < st->n_mounts; i++) {
		const struct container_mount *m = &st->mounts[i];
		if (!m->source)
			continue;
		int r = mkdir_parents(m->source, 0755);
		/* A file is a valid source too (binding one file over another). */
		if (r == -ENOTDIR || r == -EEXIST)
			continue;
		if (r < 0)
			return error_set_errno(err, r, "volume source %s", m->source);
	}
	return 0;
}

static cJSON *strv_json(char *const *v)
{
	if (!v)
		return cJSON_CreateNull();
	cJSON *a = cJSON_CreateArray();
	for (size_t i = 0; a && v[i]; i++)
		if (!cJSON_AddItemToArray(a, cJSON_CreateString(v[i]))) {
			cJSON_Delete(a);
			return NULL;
		}
	return a;
}

static cJSON *mount_json(const struct container_mount *m)
{
	cJSON *o = cJSON_CreateObject();
	bool ok = o && cJSON_AddStringToObject(o, "destination", m->destination) &&
		  cJSON_AddBoolToObject(o, "read_only", m->read_only) &&
		  (m->source ? cJSON_AddStringToObject(o, "source", m->source) != NULL
			     : cJSON_AddStringToObject(o, "tmpfs_options",
						       m->tmpfs_options ? m->tmpfs_options : "") &&
				       cJSON_AddNumberToObject(o, "tmpfs_flags", (double)m->tmpfs_flags));
	if (!ok) {
		cJSON_Delete(o);
		return NULL;
	}
	return o;
}

bool container_storage_to_json(const struct container_storage *st, cJSON *o)
{
	cJSON *mounts = cJSON_AddArrayToObject(o, "mounts");
	if (!mounts)
		return false;
	for (size_t i = 0; i < st->n_mounts; i++)
		if (!cJSON_AddItemToArray(mounts, mount_json(&st->mounts[i])))
			return false;
	return cJSON_AddBoolToObject(o, "readonly_root", st->readonly_root) &&
	       cJSON_AddNumberToObject(o, "shm_size_mib", st->shm_size_mib) &&
	       cJSON_AddItemToObject(o, "dns_servers", strv_json(st->dns_servers)) &&
	       cJSON_AddItemToObject(o, "dns_search", strv_json(st->dns_search)) &&
	       cJSON_AddItemToObject(o, "extra_hosts", strv_json(st->extra_hosts));
}

/* An optional array of strings: null or absent gives NULL. */
static int strv_member(const cJSON *o, const char *name, char ***ret)
{
	const cJSON *a = cJSON_GetObjectItemCaseSensitive(o, name);
	*ret = NULL;
	if (!a || cJSON_IsNull(a))
		return 0;
	if (!cJSON_IsArray(a))
		return -EINVAL;
	char **v = calloc((size_t)cJSON_GetArraySize(a) + 1, sizeof(char *));
	if (!v)
		return -ENOMEM;
	size_t i = 0;
	const cJSON *it;
	cJSON_ArrayForEach(it, a)
		if (!cJSON_IsString(it) || !(v[i++] = strdup(it->valuestring))) {
			json_strv_free(v);
			return -EINVAL;
		}
	*ret = v;
	return 0;
}

static int mount_from_json(const cJSON *o, struct container_mount *m)
{
	const char *dest = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(o, "destination"));
	const char *src = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(o, "source"));
	const char *opts = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(o, "tmpfs_options"));
	const cJSON *flags = cJSON_GetObjectItemCaseSensitive(o, "tmpfs_flags");
	if (!dest || dest[0] != '/' || (!src && (!opts || !json_is_unsigned_integer(flags))))
		return -EINVAL;
	m->read_only = cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(o, "read_only"));
	m->destination = strdup(dest);
	if (src)
		m->source = strdup(src);
	else {
		m->tmpfs_options = strdup(opts);
		m->tmpfs_flags = (uint64_t)flags->valuedouble;
	}
	return m->destination && (m->source || m->tmpfs_options) ? 0 : -ENOMEM;
}

int container_storage_from_json(const cJSON *o, struct container_storage *st)
{
	/* Every member is optional: a config written before they existed still runs. */
	const cJSON *mounts = cJSON_GetObjectItemCaseSensitive(o, "mounts");
	const cJSON *shm = cJSON_GetObjectItemCaseSensitive(o, "shm_size_mib");
	st->shm_size_mib = CONTAINER_DEFAULT_SHM_MIB;
	if (shm) {
		if (!json_is_unsigned_integer(shm) || shm->valuedouble < 1 ||
		    shm->valuedouble > UINT32_MAX)
			return -EINVAL;
		st->shm_size_mib = (uint32_t)shm->valuedouble;
	}
	if (mounts && !cJSON_IsArray(mounts))
		return -EINVAL;
	st->readonly_root = cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(o, "readonly_root"));
	size_t n = (size_t)cJSON_GetArraySize(mounts);
	st->mounts = calloc(n ? n : 1, sizeof(*st->mounts));
	if (!st->mounts)
		return -ENOMEM;
	const cJSON *it;
	cJSON_ArrayForEach(it, mounts) {
		int r = mount_from_json(it, &st->mounts[st->n_mounts++]);
		if (r < 0)
			return r;
	}
	int r = strv_member(o, "dns_servers", &st->dns_servers);
	if (r == 0)
		r = strv_member(o, "dns_search", &st->dns_search);
	if (r == 0)
		r = strv_member(o, "extra_hosts", &st->extra_hosts);
	return r;
}

void container_storage_release(struct container_storage *st)
{
	for (size_t i = 0; i < st->n_mounts; i++) {
		free(st->mounts[i].source);
		free(st->mounts[i].destination);
		free(st->mounts[i].tmpfs_options);
	}
	free(st->mounts);
	json_strv_free(st->dns_servers);
	json_strv_free(st->dns_search);
	json_strv_free(st->extra_hosts);
	*st = (struct container_storage){ 0 };
}
