/* The systemd driver's names and properties, without a bus: how a task and a container become
 * systemd units, where their cgroups are, and which unit properties carry a task's limits.
 *
 *   tether.slice/                                   parent of every task's slice
 *   └── tether-<task>.slice                         one per task: task-level limits as unit
 *       │                                           properties (MemoryMax, CPUQuota, ...)
 *       └── tether-<task>-<container>.scope         one per container, Delegate=yes, started
 *           ├── monitor                             with its tether-monitor as initial PID
 *           └── container                           container-level limits; the container
 *
 * A '-' in a slice's name means one level of hierarchy, so every name part is escaped as
 * systemd escapes unit names ("a-b" is "a\x2db"). */
#pragma once

#include <stddef.h>
#include <stdint.h>

#include "cgroups/cgroup.h"

#define SYSTEMD_PARENT_SLICE "tether.slice"
#define SYSTEMD_UNIT_PREFIX "tether-"
#define SYSTEMD_MONITOR_LEAF "monitor"
#define SYSTEMD_CONTAINER_LEAF "container"
/* systemd's longest unit name, suffix included (UNIT_NAME_MAX). */
#define SYSTEMD_UNIT_NAME_MAX 255

/* TEXT escaped as one part of a unit name, as systemd-escape does: [A-Za-z0-9:_.] are kept (a
 * leading '.' is not), everything else becomes \xHH, so "a-b" gives "a\x2db". Unlike
 * systemd-escape, '/' is escaped too: no name part may add a level. */
int systemd_unit_escape(const char *text, char **ret);

/* "tether-<task>.slice", "tether-<task>-<container>.scope"; -ENAMETOOLONG past
 * SYSTEMD_UNIT_NAME_MAX. */
int systemd_task_slice(const char *task_id, char **ret, struct error *err);
int systemd_container_scope(const char *task_id, const char *container, char **ret,
			    struct error *err);
/* The cgroups: "tether.slice/<slice>" and "tether.slice/<slice>/<scope>/container". */
int systemd_task_path(const char *task_id, char **ret, struct error *err);
int systemd_container_path(const char *task_id, const char *container, char **ret,
			   struct error *err);

/* What a cgroup path of this driver is. */
enum systemd_path_kind {
	SYSTEMD_PATH_SLICE,   /* ends in a slice: the unit is the last component */
	SYSTEMD_PATH_SCOPE,   /* ends in a scope: the unit is the last component */
	SYSTEMD_PATH_IN_SCOPE,/* below a scope: systemd delegated it, plain cgroupfs */
	SYSTEMD_PATH_OTHER,
};

struct systemd_path {
	enum systemd_path_kind kind;
	char *unit;      /* the slice or scope named by the path (NULL for OTHER) */
	char *slice;     /* for a scope, or a path in a scope: the slice it sits in */
	size_t unit_end; /* length of the path up to the end of the unit's component */
};

int systemd_path_parse(const char *path, struct systemd_path *ret);
void systemd_path_release(struct systemd_path *p);

/* A unit property of type "t" (uint64). */
struct systemd_property {
	const char *name;
	uint64_t value;
};

#define SYSTEMD_LIMIT_PROPERTIES_MAX 5

/* The unit properties of LIMITS, in a fixed order (CPUWeight, CPUQuotaPerSecUSec, MemoryMax,
 * MemoryLow, TasksMax); zero fields give none. Returns how many were written to OUT. */
size_t systemd_limit_properties(const struct cgroup_limits *limits,
				struct systemd_property out[SYSTEMD_LIMIT_PROPERTIES_MAX]);
