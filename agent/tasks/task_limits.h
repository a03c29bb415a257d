/* From a task definition's cpu and memory fields to cgroup limits, and which cgroup
 * controllers they need. */
#pragma once

#include "cgroups/cgroup.h"
#include "protocol/taskdef.h"

void task_limits_of_task(const struct taskdef *td, struct cgroup_limits *ret);
void task_limits_of_container(const struct taskdef_container *c, struct cgroup_limits *ret);

/* The controllers the task's limits need that AVAILABLE_CSV ("cpu,memory,pids") lacks,
 * comma-separated into *ret_missing ("" when none). */
int task_limits_missing_controllers(const struct taskdef *td, const char *available_csv,
				    char **ret_missing);

/* The controllers that some task's limits need (cpu, memory, and pids for the pids.max every
 * container gets) and AVAILABLE_CSV lacks, comma-separated ("" when none): the agent and
 * `tether check` call tasks "runnable with limits" when this is empty. */
int task_limits_missing_for_any_task(const char *available_csv, char **ret_missing);

/* True when the comma-separated list CSV holds NAME. */
bool task_limits_csv_has(const char *csv, const char *name);
