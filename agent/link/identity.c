#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cjson/cJSON.h>

#include "agent/link/identity.h"
#include "common/cleanup.h"
#include "common/fileio.h"
#include "protocol/json_value.h"

#define IDENTITY_MAX_SIZE (64 * 1024)

static char *path_join(const char *dir, const char *name)
{
	char *p = NULL;
	if (asprintf(&p, "%s/%s", dir, name) < 0)
		return NULL;
	return p;
}

bool identity_exists(const char *state_dir)
{
	_cleanup_free_ char *path = path_join(state_dir, IDENTITY_FILE);
	return path && access(path, F_OK) == 0;
}

static int ensure_private_dir(const char *dir, struct error *err)
{
	int r = mkdir_parents(dir, 0700);
	if (r < 0)
		return error_set_errno(err, r, "create %s", dir);
	/* An existing directory (made by a package or by hand) is tightened too. */
	if (chmod(dir, 0700) < 0)
		return error_set_errno(err, errno, "chmod %s", dir);
	return 0;
}

int identity_save(const char *state_dir, const struct identity *id, struct error *err)
{
	int r = ensure_private_dir(state_dir, err);
	if (r < 0)
		return r;

	_cleanup_free_ char *key_path = path_join(state_dir, IDENTITY_KEY_FILE);
	_cleanup_free_ char *id_path = path_join(state_dir, IDENTITY_FILE);
	if (!key_path || !id_path)
		return error_set(err, ENOMEM, "out of memory");

	r = write_file_atomic(key_path, id->private_key_pem, strlen(id->private_key_pem), 0600);
	if (r < 0)
		return error_set_errno(err, r, "write %s", key_path);

	cJSON *j = cJSON_CreateObject();
	if (!j || !cJSON_AddStringToObject(j, "node_id", id->node_id) ||
	    !cJSON_AddStringToObject(j, "container_instance_arn", id->container_instance_arn) ||
	    !cJSON_AddStringToObject(j, "cluster", id->cluster) ||
	    !cJSON_AddStringToObject(j, "hub_url", id->hub_url) ||
	    !cJSON_AddStringToObject(j, "connect_url", id->connect_url) ||
	    (id->ca_file && !cJSON_AddStringToObject(j, "ca_file", id->ca_file))) {
		cJSON_Delete(j);
		return error_set(err, ENOMEM, "out of memory");
	}
	_cleanup_free_ char *text = cJSON_Print(j);
	cJSON_Delete(j);
	if (!text)
		return error_set(err, ENOMEM, "out of memory");
	r = write_file_atomic(id_path, text, strlen(text), 0600);
	if (r < 0)
		return error_set_errno(err, r, "write %s", id_path);
	return 0;
}

int identity_load(const char *state_dir, struct identity *ret, struct error *err)
{
	return identity_load_from(state_dir, IDENTITY_FILE, ret, err);
}

int identity_load_from(const char *state_dir, const char *file, struct identity *ret,
		       struct error *err)
{
	_cleanup_free_ char *id_path = path_join(state_dir, file);
	_cleanup_free_ char *key_path = path_join(state_dir, IDENTITY_KEY_FILE);
	if (!id_path || !key_path)
		return error_set(err, ENOMEM, "out of memory");

	_cleanup_free_ char *text = NULL;
	int r = read_file_full(id_path, IDENTITY_MAX_SIZE, &text, NULL);
	if (r == -ENOENT)
		return error_set(err, ENOENT, "not registered (no %s; run 'tether register')",
				 id_path);
	if (r < 0)
		return error_set_errno(err, r, "read %s", id_path);

	cJSON *j = cJSON_Parse(text);
	if (!j)
		return error_set(err, EINVAL, "%s is not valid JSON", id_path);

	static const char *const names[] = { "node_id", "container_instance_arn", "cluster",
					     "hub_url", "connect_url", "ca_file" };
	const cJSON *found[ELEMENTSOF(names)] = { 0 };
	struct identity id = { 0 };
	r = json_object_members(j, "identity", names, ELEMENTSOF(names), found, err);
	if (r >= 0)
		r = json_get_string(found[0], "node_id", 1, 256, &id.node_id, err);
	if (r >= 0)
		r = json_get_string(found[1], "container_instance_arn", 1, 2048,
				    &id.container_instance_arn, err);
	if (r >= 0)
		r = json_get_string(found[2], "cluster", 1, 256, &id.cluster, err);
	if (r >= 0)
		r = json_get_string(found[3], "hub_url", 1, 2048, &id.hub_url, err);
	if (r >= 0)
		r = json_get_string(found[4], "connect_url", 1, 2048, &id.connect_url, err);
	if (r >= 0 && found[5])
		r = json_get_string(found[5], "ca_file", 1, 4096, &id.ca_file, err);
	cJSON_Delete(j);
	if (r < 0) {
		identity_release(&id);
		return error_wrap(err, "%s", id_path);
	}

	r = read_file_full(key_path, IDENTITY_MAX_SIZE, &id.private_key_pem, NULL);
	if (r < 0) {
		identity_release(&id);
		/* -ENOENT means "not registered" to callers; an identity without its key is a
		 * damaged registration, which must not pass for none. */
		if (r == -ENOENT)
			return error_set(err, ENOKEY, "%s names a node but its key %s is missing",
					 id_path, key_path);
		return error_set_errno(err, r, "read %s", key_path);
	}
	*ret = id;
	return 0;
}

int identity_begin_leaving(const char *state_dir, struct error *err)
{
	_cleanup_free_ char *id_path = path_join(state_dir, IDENTITY_FILE);
	_cleanup_free_ char *leaving_path = path_join(state_dir, IDENTITY_LEAVING_FILE);
	if (!id_path || !leaving_path)
		return error_set(err, ENOMEM, "out of memory");
	if (rename(id_path, leaving_path) == 0)
		return 0;
	if (errno == ENOENT)
		return 1;
	return error_set_errno(err, errno, "rename %s to %s", id_path, leaving_path);
}

int identity_cancel_leaving(const char *state_dir, struct error *err)
{
	_cleanup_free_ char *id_path = path_join(state_dir, IDENTITY_FILE);
	_cleanup_free_ char *leaving_path = path_join(state_dir, IDENTITY_LEAVING_FILE);
	if (!id_path || !leaving_path)
		return error_set(err, ENOMEM, "out of memory");
	if (rename(leaving_path, id_path) < 0)
		return error_set_errno(err, errno, "rename %s to %s", leaving_path, id_path);
	return 0;
}

int identity_remove_leaving(const char *state_dir, struct error *err)
{
	static const char *const files[] = { IDENTITY_LEAVING_FILE, IDENTITY_KEY_FILE };
	for (size_t i = 0; i < ELEMENTSOF(files); i++) {
		_cleanup_free_ char *path = path_join(state_dir, files[i]);
		if (!path)
			return error_set(err, ENOMEM, "out of memory");
		if (unlink(path) < 0 && errno != ENOENT)
			return error_set_errno(err, errno, "remove %s", path);
	}
	return 0;
}

void identity_release(struct identity *id)
{
	if (!id)
		return;
	free(id->node_id);
	free(id->container_instance_arn);
	free(id->cluster);
	free(id->hub_url);
	free(id->connect_url);
	free(id->ca_file);
	if (id->private_key_pem) {
		explicit_bzero(id->private_key_pem, strlen(id->private_key_pem));
		free(id->private_key_pem);
	}
	*id = (struct identity){ 0 };
}
