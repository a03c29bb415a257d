#include "protocol/taskdef_mounts.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "common/cleanup.h"
#include "protocol/json_value.h"
#include "protocol/taskdef_container.h"

int taskdef_path_normalize(const char *path, char **ret)
{
	if (path[0] != '/')
		return -EINVAL;
	size_t len = strlen(path);
	char *out = malloc(len + 2);
	if (!out)
		return -ENOMEM;
	size_t n = 0;
	for (const char *p = path; *p;) {
		while (*p == '/')
			p++;
		size_t clen = strcspn(p, "/");
		if (clen == 0)
			break;
		if ((clen == 1 && p[0] == '.') || (clen == 2 && p[0] == '.' && p[1] == '.')) {
			free(out);
			return -EINVAL;
		}
		for (size_t i = 0; i < clen; i++)
			if ((unsigned char)p[i] < 0x20 || p[i] == 0x7f) {
				free(out);
				return -EINVAL;
			}
		out[n++] = '/';
		memcpy(out + n, p, clen);
		n += clen;
		p += clen;
	}
	if (n == 0)
		out[n++] = '/';
	out[n] = '\0';
	*ret = out;
	return 0;
}

int taskdef_get_path(const cJSON *v, const char *path, char **ret, struct error *err)
{
	_cleanup_free_ char *raw = NULL;
	int r = json_get_string(v, path, 1, TASKDEF_MAX_MOUNT_PATH, &raw, err);
	if (r < 0)
		return r;
	r = taskdef_path_normalize(raw, ret);
	if (r == -ENOMEM)
		return error_set(err, ENOMEM, "%s: out of memory", path);
	if (r < 0)
		return error_set(err, EINVAL, "%s: \"%.64s\" must be an absolute path without '.' "
				 "or '..' components or control characters", path, raw);
	return 0;
}

bool taskdef_path_is_under(const char *path, const char *top)
{
	size_t n = strlen(top);
	return strncmp(path, top, n) == 0 && (path[n] == '\0' || path[n] == '/');
}

static int parse_volume(const cJSON *item, const char *path, struct taskdef_volume *vol,
			struct error *err)
{
	static const char *const names[] = { "name", "host" };
	static const char *const host_names[] = { "sourcePath" };
	const cJSON *found[ELEMENTSOF(names)], *host[ELEMENTSOF(host_names)];
	char field[JSON_PATH_MAX];
	int r = json_object_members(item, path, names, ELEMENTSOF(names), found, err);
	if (r < 0)
		return r;
	json_path(field, "%s.name", path);
	if (!found[0])
		return error_set(err, EINVAL, "%s: required", field);
	r = json_get_string(found[0], field, 1, TASKDEF_MAX_NAME, &vol->name, err);
	if (r < 0)
		return r;
	if (!taskdef_name_is_valid(vol->name))
		return error_set(err, EINVAL, "%s: only letters, digits, '-' and '_' are allowed",
				 field);
	if (!found[1])
		return 0;
	json_path(field, "%s.host", path);
	r = json_object_members(found[1], field, host_names, ELEMENTSOF(host_names), host, err);
	if (r < 0)
		return r;
	/* ECS treats a host without sourcePath as a task-scoped folder, as a name alone. */
	if (!host[0])
		return 0;
	json_path(field, "%s.host.sourcePath", path);
	r = taskdef_get_path(host[0], field, &vol->host_source_path, err);
	if (r < 0)
		return r;
	if (strcmp(vol->host_source_path, "/") == 0)
		return error_set(err, EINVAL, "%s: the host's root cannot be a volume", field);
	return 0;
}

static int parse_volume_item(const cJSON *v, const char *path, void *items, size_t i,
			     struct error *err)
{
	struct taskdef_volume *volumes = items;
	int r = parse_volume(v, path, &volumes[i], err);
	if (r < 0)
		return r;
	for (size_t j = 0; j < i; j++)
		if (strcmp(volumes[j].name, volumes[i].name) == 0)
			return error_set(err, EINVAL, "%s.name: \"%s\" is used by two volumes", path,
					 volumes[i].name);
	return 0;
}

int taskdef_volumes_from_json(const cJSON *v, struct taskdef *td, struct error *err)
{
	static const struct json_object_array spec = {
		.shape = "objects", .what = "volumes", .max_items = TASKDEF_MAX_VOLUMES,
		.item_size = sizeof(*td->volumes), .parse = parse_volume_item,
	};
	return json_parse_object_array(v, "volumes", &spec, &td->volumes, &td->n_volumes, err);
}

static int parse_mount_point(const cJSON *item, const char *path, void *items, size_t i,
			     struct error *err)
{
	struct taskdef_mount_point *mp = (struct taskdef_mount_point *)items + i;
	static const char *const names[] = { "sourceVolume", "containerPath", "readOnly" };
	const cJSON *found[ELEMENTSOF(names)];
	char field[JSON_PATH_MAX];
	int r = json_object_members(item, path, names, ELEMENTSOF(names), found, err);
	if (r < 0)
		return r;
	json_path(field, "%s.sourceVolume", path);
	if (!found[0])
		return error_set(err, EINVAL, "%s: required", field);
	r = json_get_string(found[0], field, 1, TASKDEF_MAX_NAME, &mp->source_volume, err);
	if (r < 0)
		return r;
	json_path(field, "%s.containerPath", path);
	if (!found[1])
		return error_set(err, EINVAL, "%s: required", field);
	r = taskdef_get_path(found[1], field, &mp->container_path, err);
	if (r < 0)
		return r;
	/* The container's root, and the kernel's views that the runtime mounts and masks
	 * itself, cannot be covered by a volume. */
	if (strcmp(mp->container_path, "/") == 0 ||
	    taskdef_path_is_under(mp->container_path, "/proc") ||
	    taskdef_path_is_under(mp->container_path, "/sys"))
		return error_set(err, EINVAL, "%s: \"%s\" cannot be a mount point (/, /proc and "
				 "/sys are the runtime's)", field, mp->container_path);
	json_path(field, "%s.readOnly", path);
	if (found[2] && (r = json_get_bool(found[2], field, &mp->read_only, err)) < 0)
		return r;
	return 0;
}

int taskdef_mount_points_from_json(const cJSON *v, const char *path, struct taskdef_container *c,
				   struct error *err)
{
	static const struct json_object_array spec = {
		.shape = "objects", .what = "mount points", .max_items = TASKDEF_MAX_MOUNT_POINTS,
		.item_size = sizeof(*c->mount_points), .parse = parse_mount_point,
	};
	char field[JSON_PATH_MAX];
	json_path(field, "%s.mountPoints", path);
	return json_parse_object_array(v, field, &spec, &c->mount_points, &c->n_mount_points, err);
}

static int parse_volume_from(const cJSON *item, const char *path, void *items, size_t i,
			     struct error *err)
{
	static const char *const names[] = { "sourceContainer", "readOnly" };
	struct taskdef_volume_from *vf = (struct taskdef_volume_from *)items + i;
	const cJSON *found[ELEMENTSOF(names)];
	char field[JSON_PATH_MAX];
	int r = json_object_members(item, path, names, ELEMENTSOF(names), found, err);
	if (r < 0)
		return r;
	json_path(field, "%s.sourceContainer", path);
	if (!found[0])
		return error_set(err, EINVAL, "%s: required", field);
	r = json_get_string(found[0], field, 1, TASKDEF_MAX_NAME, &vf->source_container, err);
	if (r < 0)
		return r;
	json_path(field, "%s.readOnly", path);
	if (found[1] && (r = json_get_bool(found[1], field, &vf->read_only, err)) < 0)
		return r;
	return 0;
}

int taskdef_volumes_from_from_json(const cJSON *v, const char *path, struct taskdef_container *c,
				   struct error *err)
{
	static const struct json_object_array spec = {
		.shape = "objects", .what = "entries", .max_items = TASKDEF_MAX_CONTAINERS,
		.item_size = sizeof(*c->volumes_from), .parse = parse_volume_from,
	};
	char field[JSON_PATH_MAX];
	json_path(field, "%s.volumesFrom", path);
	return json_parse_object_array(v, field, &spec, &c->volumes_from, &c->n_volumes_from, err);
}

const struct taskdef_volume *taskdef_find_volume(const struct taskdef *td, const char *name)
{
	for (size_t i = 0; i < td->n_volumes; i++)
		if (strcmp(td->volumes[i].name, name) == 0)
			return &td->volumes[i];
	return NULL;
}

static const struct taskdef_container *find_container(const struct taskdef *td, const char *name)
{
	for (size_t i = 0; i < td->n_containers; i++)
		if (strcmp(td->containers[i].name, name) == 0)
			return &td->containers[i];
	return NULL;
}

/* visiting: bit i set while container i is on the walk's path (a cycle when met again). */
static int walk_mounts(const struct taskdef *td, const struct taskdef_container *c, bool read_only,
		       unsigned visiting, taskdef_mount_fn fn, void *userdata)
{
	size_t index = (size_t)(c - td->containers);
	if (visiting & (1u << index))
		return -ELOOP;
	visiting |= 1u << index;
	for (size_t i = 0; i < c->n_mount_points; i++) {
		const struct taskdef_mount_point *mp = &c->mount_points[i];
		int r = fn(userdata, mp, read_only || mp->read_only);
		if (r < 0)
			return r;
	}
	for (size_t i = 0; i < c->n_volumes_from; i++) {
		const struct taskdef_container *src = find_container(td, c->volumes_from[i].source_container);
		if (!src)
			return -ENOENT;
		int r = walk_mounts(td, src, read_only || c->volumes_from[i].read_only, visiting, fn,
				    userdata);
		if (r < 0)
			return r;
	}
	return 0;
}

int taskdef_container_mounts(const struct taskdef *td, const struct taskdef_container *c,
			     taskdef_mount_fn fn, void *userdata)
{
	return walk_mounts(td, c, false, 0, fn, userdata);
}

struct seen_paths {
	const char *paths[TASKDEF_MAX_MOUNT_POINTS * TASKDEF_MAX_CONTAINERS + TASKDEF_MAX_TMPFS +
			  TASKDEF_MAX_DEVICES];
	size_t n;
	const char *duplicate;
};

static int note_path(void *userdata, const struct taskdef_mount_point *mp, bool read_only)
{
	(void)read_only;
	struct seen_paths *seen = userdata;
	for (size_t i = 0; i < seen->n; i++)
		if (strcmp(seen->paths[i], mp->container_path) == 0) {
			seen->duplicate = mp->container_path;
			return -EEXIST;
		}
	if (seen->n < ELEMENTSOF(seen->paths))
		seen->paths[seen->n++] = mp->container_path;
	return 0;
}

/* Every mount of container i (its own, those taken through volumesFrom, its tmpfs, its
 * devices) at its own path, and no volumesFrom cycle. */
static int check_one_mount_per_path(const struct taskdef *td, const struct taskdef_container *c,
				    size_t i, struct error *err)
{
	struct seen_paths *seen = calloc(1, sizeof(*seen));
	if (!seen)
		return error_set(err, ENOMEM, "mountPoints: out of memory");
	int r = taskdef_container_mounts(td, c, note_path, seen);
	/* A tmpfs of linuxParameters is a mount too; its normalised path lives as long
	 * as seen. */
	char *tmpfs_paths[TASKDEF_MAX_TMPFS] = { 0 };
	for (size_t j = 0; r == 0 && j < c->linux_parameters.n_tmpfs && j < TASKDEF_MAX_TMPFS; j++) {
		r = taskdef_path_normalize(c->linux_parameters.tmpfs[j].container_path,
					   &tmpfs_paths[j]);
		if (r == 0)
			r = note_path(seen, &(struct taskdef_mount_point){
					      .container_path = tmpfs_paths[j] }, false);
		if (r == -EEXIST)
			seen->duplicate = c->linux_parameters.tmpfs[j].container_path;
	}
	/* So is a device (its path is normalised already). */
	for (size_t j = 0; r == 0 && j < c->linux_parameters.n_devices; j++)
		r = note_path(seen, &(struct taskdef_mount_point){
				      .container_path = c->linux_parameters.devices[j].container_path },
			      false);
	if (r == -ELOOP)
		r = error_set(err, EINVAL, "containerDefinitions[%zu].volumesFrom: containers "
			      "take volumes from each other in a cycle", i);
	else if (r == -EEXIST)
		r = error_set(err, EINVAL, "containerDefinitions[%zu].mountPoints: two mounts "
			      "at \"%s\"", i, seen->duplicate);
	else if (r < 0)
		r = error_set_errno(err, r, "containerDefinitions[%zu]: mounts", i);
	free(seen);
	for (size_t j = 0; j < TASKDEF_MAX_TMPFS; j++)
		free(tmpfs_paths[j]);
	return r;
}

int taskdef_mounts_check(const struct taskdef *td, struct error *err)
{
	for (size_t i = 0; i < td->n_containers; i++) {
		const struct taskdef_container *c = &td->containers[i];
		for (size_t j = 0; j < c->n_mount_points; j++)
			if (!taskdef_find_volume(td, c->mount_points[j].source_volume))
				return error_set(err, EINVAL, "containerDefinitions[%zu].mountPoints[%zu]."
						 "sourceVolume: no volume named \"%s\" in volumes",
						 i, j, c->mount_points[j].source_volume);
		for (size_t j = 0; j < c->n_volumes_from; j++) {
			const char *src = c->volumes_from[j].source_container;
			if (!find_container(td, src) || strcmp(src, c->name) == 0)
				return error_set(err, EINVAL, "containerDefinitions[%zu].volumesFrom[%zu]."
						 "sourceContainer: \"%s\" is not another container of "
						 "the task", i, j, src);
		}
		int r = check_one_mount_per_path(td, c, i, err);
		if (r < 0)
			return r;
	}
	return 0;
}

void taskdef_volumes_release(struct taskdef *td)
{
	for (size_t i = 0; i < td->n_volumes; i++) {
		free(td->volumes[i].name);
		free(td->volumes[i].host_source_path);
	}
	free(td->volumes);
	td->volumes = NULL;
	td->n_volumes = 0;
}

void taskdef_container_mounts_release(struct taskdef_container *c)
{
	for (size_t i = 0; i < c->n_mount_points; i++) {
		free(c->mount_points[i].source_volume);
		free(c->mount_points[i].container_path);
	}
	free(c->mount_points);
	for (size_t i = 0; i < c->n_volumes_from; i++)
		free(c->volumes_from[i].source_container);
	free(c->volumes_from);
}
