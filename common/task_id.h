/* A task's id: the last segment of its ARN ("arn:aws:ecs:region:acct:task/cluster/<id>"). It
 * names folders and cgroups, so only [A-Za-z0-9-] is accepted. */
#pragma once

#include <stddef.h>

#define TASK_ID_MAX 64

/* 0 and a copy in *ret, or -EINVAL (bad characters, empty or too long) / -ENOMEM. */
int task_id_from_arn(const char *arn, char **ret);

/* A container's id on its node, "<task id>-<container name>": the task metadata endpoint's
 * DockerId and the runtimeId the hub shows in describe-tasks. */
void container_runtime_id(const char *task_id, const char *name, char *buf, size_t size);
