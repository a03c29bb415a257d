#include "protocol/taskdef_devices.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "common/cleanup.h"
#include "protocol/json_value.h"
#include "protocol/taskdef_mounts.h"

static const struct {
	const char *name;
	unsigned bit;
} permission_names[] = {
	{ "read", TASKDEF_DEVICE_READ },
	{ "write", TASKDEF_DEVICE_WRITE },
	{ "mknod", TASKDEF_DEVICE_MKNOD },
};

static int parse_permissions(const cJSON *v, const char *path, unsigned *ret, struct error *err)
{
	if (!cJSON_IsArray(v) || cJSON_GetArraySize(v) == 0)
		return error_set(err, EINVAL, "%s: expected an array of one or more of \"read\", "
				 "\"write\", \"mknod\"", path);
	unsigned bits = 0;
	size_t i = 0;
	const cJSON *item;
	cJSON_ArrayForEach(item, v) {
		const char *name = cJSON_GetStringValue(item);
		unsigned bit = 0;
		for (size_t j = 0; name && j < ELEMENTSOF(permission_names); j++)
			if (strcmp(name, permission_names[j].name) == 0)
				bit = permission_names[j].bit;
		if (!bit)
			return error_set(err, EINVAL, "%s[%zu]: expected \"read\", \"write\" or "
					 "\"mknod\"", path, i);
		if (bits & bit)
			return error_set(err, EINVAL, "%s[%zu]: \"%s\" is given twice", path, i, name);
		bits |= bit;
		i++;
	}
	*ret = bits;
	return 0;
}

/* Where a device may appear: not over the container's root, and not in the kernel's views
 * that the runtime mounts, masks and makes read-only itself. */
static bool container_path_is_allowed(const char *path)
{
	return strcmp(path, "/") != 0 && !taskdef_path_is_under(path, "/proc") &&
	       !taskdef_path_is_under(path, "/sys");
}

static int parse_device(const cJSON *v, const char *path, struct taskdef_device *d,
			struct error *err)
{
	static const char *const names[] = { "hostPath", "containerPath", "permissions" };
	const cJSON *found[ELEMENTSOF(names)];
	char field[JSON_PATH_MAX];
	int r = json_object_members(v, path, names, ELEMENTSOF(names), found, err);
	if (r < 0)
		return r;
	json_path(field, "%s.hostPath", path);
	if (!found[0])
		return error_set(err, EINVAL, "%s: required", field);
	if ((r = taskdef_get_path(found[0], field, &d->host_path, err)) < 0)
		return r;
	if (strcmp(d->host_path, "/") == 0)
		return error_set(err, EINVAL, "%s: \"/\" is not a device", field);
	json_path(field, "%s.containerPath", path);
	if (found[1])
		r = taskdef_get_path(found[1], field, &d->container_path, err);
	else if (!(d->container_path = strdup(d->host_path)))
		r = error_set(err, ENOMEM, "%s: out of memory", field);
	if (r < 0)
		return r;
	if (!container_path_is_allowed(d->container_path))
		return error_set(err, EINVAL, "%s: \"%s\" cannot hold a device (/, /proc and /sys "
				 "are the runtime's)", field, d->container_path);
	d->permissions = TASKDEF_DEVICE_ALL;
	json_path(field, "%s.permissions", path);
	if (found[2] && (r = parse_permissions(found[2], field, &d->permissions, err)) < 0)
		return r;
	return 0;
}

static int parse_device_item(const cJSON *v, const char *path, void *items, size_t i,
			     struct error *err)
{
	struct taskdef_device *devices = items;
	int r = parse_device(v, path, &devices[i], err);
	if (r < 0)
		return r;
	for (size_t j = 0; j < i; j++)
		if (strcmp(devices[j].container_path, devices[i].container_path) == 0)
			return error_set(err, EINVAL, "%s.containerPath: \"%s\" is given twice", path,
					 devices[i].container_path);
	return 0;
}

int taskdef_devices_from_json(const cJSON *v, const char *path, struct taskdef_device **ret,
			      size_t *ret_n, struct error *err)
{
	static const struct json_object_array spec = {
		.shape = "{hostPath, containerPath, permissions}", .what = "devices",
		.max_items = TASKDEF_MAX_DEVICES, .item_size = sizeof(**ret),
		.parse = parse_device_item,
	};
	return json_parse_object_array(v, path, &spec, ret, ret_n, err);
}

void taskdef_devices_free(struct taskdef_device *devices, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		free(devices[i].host_path);
		free(devices[i].container_path);
	}
	free(devices);
}
