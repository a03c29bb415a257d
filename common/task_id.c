/* Extracting and checking a task id. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/task_id.h"

int task_id_from_arn(const char *arn, char **ret)
{
	if (!arn)
		return -EINVAL;
	const char *slash = strrchr(arn, '/');
	const char *id = slash ? slash + 1 : arn;
	size_t n = strlen(id);
	if (n == 0 || n > TASK_ID_MAX)
		return -EINVAL;
	for (const char *p = id; *p; p++)
		if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
		      (*p >= '0' && *p <= '9') || *p == '-'))
			return -EINVAL;
	char *copy = strdup(id);
	if (!copy)
		return -ENOMEM;
	*ret = copy;
	return 0;
}

void container_runtime_id(const char *task_id, const char *name, char *buf, size_t size)
{
	snprintf(buf, size, "%s-%s", task_id, name);
}
