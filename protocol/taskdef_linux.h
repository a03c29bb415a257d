/* A container's linuxParameters and ulimits (protocol/taskdef.h holds the model). */
#pragma once

#include <stdbool.h>
#include <stdint.h>

#include <cjson/cJSON.h>

#include "common/error.h"
#include "protocol/taskdef_devices.h"

#define TASKDEF_MAX_TMPFS 16
#define TASKDEF_MAX_MOUNT_OPTIONS 16
#define TASKDEF_MAX_MOUNT_OPTION 64   /* bytes per mountOptions item */
#define TASKDEF_CAP_LAST 40           /* CAP_CHECKPOINT_RESTORE, the newest name known */
#define TASKDEF_ULIMIT_UNLIMITED UINT64_MAX /* softLimit/hardLimit -1 */

struct taskdef_tmpfs {
	char *container_path;  /* absolute, no "." or ".." component */
	uint32_t size_mib;     /* >= 1 */
	char **mount_options;  /* NULL-terminated, NULL when absent: "ro", "noexec", "mode=1777" ... */
};

struct taskdef_capabilities {
	uint64_t add;          /* bit n = capability n (CAP_SYS_ADMIN = 21 ...) */
	uint64_t drop;
	bool add_all;          /* "ALL" in add */
	bool drop_all;         /* "ALL" in drop */
};

struct taskdef_linux {
	struct taskdef_capabilities capabilities;
	bool init_process_enabled;
	uint32_t shared_memory_size_mib;  /* /dev/shm size; 0 = not set */
	struct taskdef_tmpfs *tmpfs;
	size_t n_tmpfs;
	struct taskdef_device *devices;
	size_t n_devices;
};

/* The ulimit names of ECS, in the order of enum taskdef_ulimit_name. */
enum taskdef_ulimit_name {
	ULIMIT_CORE, ULIMIT_CPU, ULIMIT_DATA, ULIMIT_FSIZE, ULIMIT_LOCKS, ULIMIT_MEMLOCK,
	ULIMIT_MSGQUEUE, ULIMIT_NICE, ULIMIT_NOFILE, ULIMIT_NPROC, ULIMIT_RSS, ULIMIT_RTPRIO,
	ULIMIT_RTTIME, ULIMIT_SIGPENDING, ULIMIT_STACK, _ULIMIT_MAX,
};

struct taskdef_ulimit {
	enum taskdef_ulimit_name name;
	uint64_t soft;         /* TASKDEF_ULIMIT_UNLIMITED for -1 */
	uint64_t hard;
};

/* "nofile" for ULIMIT_NOFILE; NULL out of range. */
const char *taskdef_ulimit_name_to_string(enum taskdef_ulimit_name name);
/* The Linux resource (RLIMIT_NOFILE ...) of a name. */
int taskdef_ulimit_resource(enum taskdef_ulimit_name name);

/* "SYS_ADMIN" (or "CAP_SYS_ADMIN") -> 21; -1 when unknown. "ALL" is not a capability. */
int taskdef_capability_from_name(const char *name);
/* 21 -> "SYS_ADMIN"; NULL when unknown. */
const char *taskdef_capability_to_name(int cap);

/* Parse linuxParameters at path into *ret (zeroed by the caller); on error *ret holds what
 * was parsed so far and the caller releases it. */
int taskdef_linux_from_json(const cJSON *v, const char *path, struct taskdef_linux *ret,
			    struct error *err);
void taskdef_linux_release(struct taskdef_linux *l);

/* Parse ulimits at path; *ret (freed with free) holds *ret_n entries, NULL when empty. */
int taskdef_ulimits_from_json(const cJSON *v, const char *path, struct taskdef_ulimit **ret,
			      size_t *ret_n, struct error *err);
