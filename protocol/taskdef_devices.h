/* linuxParameters.devices: host device nodes a container may use, as ECS writes them
 * ({"hostPath", "containerPath", "permissions"}). Only the shape is checked here; whether
 * hostPath is a device on the node is the node's to find out when the container starts. */
#pragma once

#include <stddef.h>

#include <cjson/cJSON.h>

#include "common/error.h"

#define TASKDEF_MAX_DEVICES 64

/* The permissions of ECS ("read", "write", "mknod"), as bits. */
enum {
	TASKDEF_DEVICE_READ = 1u << 0,
	TASKDEF_DEVICE_WRITE = 1u << 1,
	TASKDEF_DEVICE_MKNOD = 1u << 2,
	TASKDEF_DEVICE_ALL = TASKDEF_DEVICE_READ | TASKDEF_DEVICE_WRITE | TASKDEF_DEVICE_MKNOD,
};

struct taskdef_device {
	char *host_path;       /* absolute, normalised, no "." or ".." component */
	char *container_path;  /* the same, hostPath when absent; never /, /proc or /sys */
	unsigned permissions;  /* TASKDEF_DEVICE_* bits, at least one; all when absent (as ECS) */
};

/* Parse the devices array at path into *ret (a calloc'd array of *ret_n, set as soon as it
 * is allocated so that the caller frees what was parsed after an error too). */
int taskdef_devices_from_json(const cJSON *v, const char *path, struct taskdef_device **ret,
			      size_t *ret_n, struct error *err);

void taskdef_devices_free(struct taskdef_device *devices, size_t n);
