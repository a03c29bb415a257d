/* The ECS Task object (DescribeTasks, RunTask, StopTask) built from the store. */
#pragma once

#include <cjson/cJSON.h>

#include "hub/store/store.h"

/* NULL when the task does not exist in the cluster (cluster NULL: any cluster). */
cJSON *task_view(struct hub_store *s, const char *cluster, const char *task_id);
