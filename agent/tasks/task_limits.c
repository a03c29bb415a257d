/* Task definition limits as cgroup limits. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "agent/tasks/task_limits.h"
#include "common/cleanup.h"

#define MIB (1024ULL * 1024ULL)

void task_limits_of_task(const struct taskdef *td, struct cgroup_limits *ret)
{
	*ret = (struct cgroup_limits){
		.cpu_units = td->cpu,
		.cpu_hard = true,  /* ECS caps a task at its task-level cpu */
		.memory_max_bytes = td->memory_mib * MIB,
	};
}

void task_limits_of_container(const struct taskdef_container *c, struct cgroup_limits *ret)
{
	*ret = (struct cgroup_limits){
		.cpu_units = c->cpu,
		.memory_max_bytes = c->memory_mib * MIB,
		.memory_low_bytes = c->memory_reservation_mib * MIB,
	};
}

bool task_limits_csv_has(const char *csv, const char *name)
{
	size_t n = strlen(name);
	for (const char *p = csv; p && *p;) {
		size_t len = strcspn(p, ",");
		if (len == n && !strncmp(p, name, n))
			return true;
		p += len;
		if (*p == ',')
			p++;
	}
	return false;
}

/* The controllers LIMITS need that AVAILABLE_CSV lacks. */
static int missing_controllers(const struct cgroup_limits *limits, const char *available_csv,
			       char **ret_missing)
{
	_cleanup_free_ char *needed = NULL;
	if (cgroup_limits_controllers(limits, &needed) < 0)
		return -ENOMEM;
	char missing[64] = "";
	for (char *save = NULL, *tok = strtok_r(needed, ",", &save); tok;
	     tok = strtok_r(NULL, ",", &save)) {
		if (task_limits_csv_has(available_csv, tok))
			continue;
		if (missing[0])
			strcat(missing, ",");
		strncat(missing, tok, sizeof(missing) - strlen(missing) - 1);
	}
	char *copy = strdup(missing);
	if (!copy)
		return -ENOMEM;
	*ret_missing = copy;
	return 0;
}

int task_limits_missing_controllers(const struct taskdef *td, const char *available_csv,
				    char **ret_missing)
{
	struct cgroup_limits all;
	task_limits_of_task(td, &all);
	for (size_t i = 0; i < td->n_containers; i++) {
		struct cgroup_limits c;
		task_limits_of_container(&td->containers[i], &c);
		all.cpu_units |= c.cpu_units;
		all.memory_max_bytes |= c.memory_max_bytes;
		all.memory_low_bytes |= c.memory_low_bytes;
	}
	return missing_controllers(&all, available_csv, ret_missing);
}

int task_limits_missing_for_any_task(const char *available_csv, char **ret_missing)
{
	/* Every limit a task definition can ask for, and the pids.max each container gets. */
	const struct cgroup_limits all = { .cpu_units = 1, .memory_max_bytes = 1, .pids_max = 1 };
	return missing_controllers(&all, available_csv, ret_missing);
}
