/* A task's id: the last segment of its ARN ("arn:aws:ecs:region:acct:task/cluster/<id>"). It
 * names folders and cgroups, so only [A-Za-z0-9-] is accepted. */
#pragma once

#define TASK_ID_MAX 64

/* 0 and a copy in *ret, or -EINVAL (bad characters, empty or too long) / -ENOMEM. */
int task_id_from_arn(const char *arn, char **ret);
