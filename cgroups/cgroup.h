/* cgroup v2: the one interface the agent and the monitor use; the driver behind it is picked
 * once at start-up. */
#pragma once

#include "common/error.h"

/* The controllers the agent can use for its tasks, comma-separated in kernel order
 * ("cpu,io,memory,pids"), or "" when the v2 tree has none (hybrid hosts). The caller frees. */
int cgroup_available_controllers(char **ret_csv, struct error *err);
