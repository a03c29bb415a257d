/* The task definition model: an ECS task definition (camelCase JSON, as `aws ecs
 * register-task-definition` sends it) parsed into C and validated. The hub validates at
 * registration; the agent parses what an assignment carries. A field tether does not support
 * is an error naming the field, never silently ignored. */
#pragma once

#include <stdbool.h>
#include <stdint.h>

#include <cjson/cJSON.h>

#include "common/error.h"
#include "protocol/taskdef_depends.h"
#include "protocol/taskdef_health.h"
#include "protocol/taskdef_linux.h"
#include "protocol/taskdef_log.h"
#include "protocol/taskdef_restart.h"

#define TASKDEF_MAX_CONTAINERS 10
/* ECS's limits: 10 placement constraints, expressions of at most 2000 characters. */
#define TASKDEF_MAX_PLACEMENT_CONSTRAINTS 10
#define TASKDEF_MAX_PLACEMENT_EXPRESSION 2000
#define TASKDEF_DEFAULT_STOP_TIMEOUT 30  /* seconds, as ECS */
#define TASKDEF_MAX_STOP_TIMEOUT 120     /* seconds, as ECS */

struct taskdef_env {
	char *name;
	char *value;
};

/* Storage (protocol/taskdef_mounts.h): a task volume is a host folder (host.sourcePath) or,
 * with only a name, an empty folder the task's containers share for the task's lifetime. */
struct taskdef_volume {
	char *name;
	char *host_source_path;  /* absolute; NULL: a task-scoped empty folder */
};

struct taskdef_mount_point {
	char *source_volume;     /* names a task volume */
	char *container_path;    /* absolute, normalised: no "//", ".", ".." or trailing '/' */
	bool read_only;
};

struct taskdef_volume_from {
	char *source_container;  /* another container of the task */
	bool read_only;          /* true: every mount taken over is read-only */
};

/* Name resolution (protocol/taskdef_dns.h). */
struct taskdef_host_entry {
	char *hostname;
	char *ip_address;
};

struct taskdef_container {
	char *name;
	char *image;            /* "oci:/path/to/layout:tag" or a registry reference */
	bool essential;         /* default true */
	char **command;         /* NULL-terminated, NULL when absent (image Cmd applies) */
	char **entry_point;     /* NULL-terminated, NULL when absent (image Entrypoint applies) */
	struct taskdef_env *environment;
	size_t n_environment;
	char *working_directory; /* NULL when absent */
	char *user;              /* "uid", "uid:gid", "name", "name:group"; NULL when absent */
	char *hostname;          /* NULL when absent */
	uint32_t cpu;            /* cpu units, 1024 = one CPU; 0 = not set */
	uint32_t memory_mib;     /* hard limit; 0 = not set */
	uint32_t memory_reservation_mib; /* soft limit; 0 = not set */
	uint32_t stop_timeout;   /* seconds; TASKDEF_DEFAULT_STOP_TIMEOUT when absent */
	struct taskdef_linux linux_parameters; /* all zero when absent */
	struct taskdef_ulimit *ulimits;        /* NULL when absent */
	size_t n_ulimits;
	bool readonly_root_filesystem;
	struct taskdef_mount_point *mount_points;
	size_t n_mount_points;
	struct taskdef_volume_from *volumes_from;
	size_t n_volumes_from;
	char **dns_servers;        /* NULL-terminated IP addresses; NULL: the host's */
	char **dns_search_domains; /* NULL-terminated; NULL: the host's */
	struct taskdef_host_entry *extra_hosts;
	size_t n_extra_hosts;
	struct taskdef_log log;  /* logConfiguration; driver NULL when absent */
	struct taskdef_dependency *depends_on; /* dependsOn (protocol/taskdef_depends.h) */
	size_t n_depends_on;
	uint32_t start_timeout;  /* seconds a dependency has to meet its condition; 0: no limit */
	struct taskdef_health_check health_check; /* argv NULL without healthCheck */
	struct taskdef_restart_policy restart_policy; /* not enabled without restartPolicy */
};

struct taskdef {
	char *family;
	char *network_mode;      /* "host" or "none"; NULL when absent */
	uint32_t cpu;            /* task-level cpu units; 0 = not set */
	uint32_t memory_mib;     /* task-level memory; 0 = not set */
	struct taskdef_container *containers;
	size_t n_containers;
	struct taskdef_volume *volumes;
	size_t n_volumes;
	/* placementConstraints' memberOf expressions, for the hub (protocol/taskdef_placement.c);
	 * NULL-terminated, NULL when absent. */
	char **placement_expressions;
	size_t n_placement_expressions;
};

int taskdef_placement_from_json(const cJSON *v, struct taskdef *td, struct error *err);

/* Parse and validate a task definition object. On error *ret is untouched and err names the
 * offending field ("containerDefinitions[0].image: required"). */
int taskdef_from_json(const cJSON *json, struct taskdef **ret, struct error *err);

/* Same, from text (at most TASKDEF_MAX_TEXT bytes). */
#define TASKDEF_MAX_TEXT (64 * 1024)
int taskdef_parse(const char *text, size_t size, struct taskdef **ret, struct error *err);

void taskdef_free(struct taskdef *td);
static inline void taskdef_freep(struct taskdef **td)
{
	taskdef_free(*td);
}

/* What the task reserves on a node: task-level cpu/memory when given, else the sum of the
 * containers' (memory falls back to memoryReservation per container, as ECS does). */
uint32_t taskdef_reserved_cpu(const struct taskdef *td);
uint32_t taskdef_reserved_memory_mib(const struct taskdef *td);

/* True when any limit (cpu, memory, memoryReservation at task or container level) is asked for. */
bool taskdef_requests_limits(const struct taskdef *td);
