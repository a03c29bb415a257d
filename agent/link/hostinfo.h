/* What the node tells the hub about itself at registration and in every hello: resources
 * (CPU units, memory) and attributes (architecture, kernel, cgroup controllers, version). */
#pragma once

#include <stdint.h>

#include <cjson/cJSON.h>

#include "common/error.h"

struct hostinfo {
	uint64_t cpu_units;      /* online CPUs * 1024 */
	uint64_t memory_mib;     /* MemTotal in MiB */
	char *arch;              /* uname machine, e.g. "x86_64" */
	char *kernel;            /* uname release */
	char *hostname;
	char *cgroup_controllers; /* "cpu,io,memory,pids", empty when none */
	/* The cgroup driver the daemon chose: it sets TETHER_CGROUP_DRIVER once it has, before it
	 * collects this; NULL elsewhere (`tether register`), where no driver was chosen. */
	char *cgroup_driver;
};

/* MemTotal of /proc/meminfo text, in MiB (rounded down). */
int hostinfo_parse_meminfo(const char *text, uint64_t *ret_mib);

int hostinfo_collect(struct hostinfo *ret, struct error *err);
void hostinfo_release(struct hostinfo *h);

/* {"cpu": N, "memory": N} and the attribute map of docs/protocol.md; NULL on allocation
 * failure. */
cJSON *hostinfo_resources_json(const struct hostinfo *h);
cJSON *hostinfo_attributes_json(const struct hostinfo *h);
/* ECS's name of a uname machine ("aarch64" is "arm64"); others pass unchanged. */
const char *hostinfo_ecs_architecture(const char *machine);
