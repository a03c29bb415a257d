#include "container/container_devices.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "common/cleanup.h"

static const struct {
	unsigned taskdef_bit, access_bit;
	char letter;
} access_letters[] = {
	{ TASKDEF_DEVICE_READ, CGROUP_DEVICE_READ, 'r' },
	{ TASKDEF_DEVICE_WRITE, CGROUP_DEVICE_WRITE, 'w' },
	{ TASKDEF_DEVICE_MKNOD, CGROUP_DEVICE_MKNOD, 'm' },
};

int container_devices_resolve(const struct taskdef_linux *l, struct container_devices *ret)
{
	*ret = (struct container_devices){ 0 };
	if (!l->n_devices)
		return 0;
	ret->items = calloc(l->n_devices, sizeof(*ret->items));
	if (!ret->items)
		return -ENOMEM;
	for (size_t i = 0; i < l->n_devices; i++) {
		struct container_device *d = &ret->items[ret->n++];
		d->host_path = strdup(l->devices[i].host_path);
		d->container_path = strdup(l->devices[i].container_path);
		if (!d->host_path || !d->container_path)
			return -ENOMEM;
		for (size_t j = 0; j < ELEMENTSOF(access_letters); j++)
			if (l->devices[i].permissions & access_letters[j].taskdef_bit)
				d->access |= access_letters[j].access_bit;
	}
	return 0;
}

const char *container_device_access_string(unsigned access, char buf[4])
{
	size_t n = 0;
	for (size_t j = 0; j < ELEMENTSOF(access_letters); j++)
		if (access & access_letters[j].access_bit)
			buf[n++] = access_letters[j].letter;
	buf[n] = '\0';
	return buf;
}

static int access_from_string(const char *s, unsigned *ret)
{
	unsigned access = 0;
	for (; *s; s++) {
		size_t j = 0;
		while (j < ELEMENTSOF(access_letters) && access_letters[j].letter != *s)
			j++;
		if (j == ELEMENTSOF(access_letters))
			return -EINVAL;
		access |= access_letters[j].access_bit;
	}
	if (!access)
		return -EINVAL;
	*ret = access;
	return 0;
}

bool container_devices_to_json(const struct container_devices *d, cJSON *o)
{
	if (!d->n)
		return true;
	cJSON *a = cJSON_AddArrayToObject(o, "devices");
	for (size_t i = 0; a && i < d->n; i++) {
		char access[4];
		cJSON *item = cJSON_CreateObject();
		if (!cJSON_AddItemToArray(a, item) ||
		    !cJSON_AddStringToObject(item, "host_path", d->items[i].host_path) ||
		    !cJSON_AddStringToObject(item, "container_path", d->items[i].container_path) ||
		    !cJSON_AddStringToObject(item, "access",
					     container_device_access_string(d->items[i].access, access)))
			return false;
	}
	return a != NULL;
}

static int device_from_json(const cJSON *o, struct container_device *d)
{
	const char *host = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(o, "host_path"));
	const char *dest = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(o, "container_path"));
	const char *access = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(o, "access"));
	if (!host || host[0] != '/' || !dest || dest[0] != '/' || !access ||
	    access_from_string(access, &d->access) < 0)
		return -EINVAL;
	d->host_path = strdup(host);
	d->container_path = strdup(dest);
	return d->host_path && d->container_path ? 0 : -ENOMEM;
}

int container_devices_from_json(const cJSON *o, struct container_devices *ret)
{
	*ret = (struct container_devices){ 0 };
	const cJSON *a = cJSON_GetObjectItemCaseSensitive(o, "devices");
	if (!a)
		return 0;
	if (!cJSON_IsArray(a))
		return -EINVAL;
	size_t n = (size_t)cJSON_GetArraySize(a);
	ret->items = calloc(n ? n : 1, sizeof(*ret->items));
	if (!ret->items)
		return -ENOMEM;
	const cJSON *it;
	cJSON_ArrayForEach(it, a) {
		int r = device_from_json(it, &ret->items[ret->n++]);
		if (r < 0)
			return r;
	}
	return 0;
}

void container_devices_release(struct container_devices *d)
{
	for (size_t i = 0; i < d->n; i++) {
		free(d->items[i].host_path);
		free(d->items[i].container_path);
	}
	free(d->items);
	*d = (struct container_devices){ 0 };
}
