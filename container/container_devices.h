/* The host devices a container is given (linuxParameters.devices), as config.json carries
 * them to tether-monitor: which node, where it appears in the container, and what the
 * container may do with it. The monitor finds the node's type and number when it starts the
 * container (runtime/monitor/devices.c). */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include <cjson/cJSON.h>

#include "cgroups/device_filter.h"
#include "protocol/taskdef.h"

struct container_device {
	char *host_path;
	char *container_path;
	unsigned access;       /* CGROUP_DEVICE_* bits */
	/* Filled by the monitor from the node it found at host_path. */
	mode_t type;           /* S_IFCHR or S_IFBLK */
	dev_t rdev;
};

struct container_devices {
	struct container_device *items;
	size_t n;
};

int container_devices_resolve(const struct taskdef_linux *l, struct container_devices *ret);

/* "rwm" for read, write and mknod; "" for none. BUF holds at least 4 bytes. */
const char *container_device_access_string(unsigned access, char buf[4]);

/* config.json member "devices": an array of {"host_path", "container_path", "access"}; an
 * absent member means no device. */
bool container_devices_to_json(const struct container_devices *d, cJSON *o);
int container_devices_from_json(const cJSON *o, struct container_devices *ret);

void container_devices_release(struct container_devices *d);
