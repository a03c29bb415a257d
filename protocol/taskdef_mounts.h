/* Storage fields of a task definition: the task's `volumes`, each container's `mountPoints`
 * and `volumesFrom`, `readonlyRootFilesystem` is a plain boolean of the container. Paths are
 * checked and normalised here, so that what reaches the runtime is absolute and free of "."
 * and ".." (the runtime still resolves every path inside the container's root). */
#pragma once

#include <cjson/cJSON.h>

#include "common/error.h"
#include "protocol/taskdef.h"

#define TASKDEF_MAX_VOLUMES 64
#define TASKDEF_MAX_MOUNT_POINTS 64
#define TASKDEF_MAX_MOUNT_PATH 4096

/* Normalise an absolute path: "//" collapsed, trailing '/' dropped; "." and ".." components,
 * control characters and relative paths are refused (-EINVAL). *ret is a copy to free. */
int taskdef_path_normalize(const char *path, char **ret);

/* The JSON string v (named path in errors) as an absolute path without "." or "..",
 * normalised into *ret (to free). */
int taskdef_get_path(const cJSON *v, const char *path, char **ret, struct error *err);

/* True when PATH (normalised) is TOP or lies below it. */
bool taskdef_path_is_under(const char *path, const char *top);

/* The task's `volumes` array. */
int taskdef_volumes_from_json(const cJSON *v, struct taskdef *td, struct error *err);

/* A container's `mountPoints` and `volumesFrom` arrays, at path ("containerDefinitions[0]"). */
int taskdef_mount_points_from_json(const cJSON *v, const char *path, struct taskdef_container *c,
				   struct error *err);
int taskdef_volumes_from_from_json(const cJSON *v, const char *path, struct taskdef_container *c,
				   struct error *err);

/* Checks across the task once everything is parsed: every sourceVolume names a volume, every
 * volumesFrom names another container, volumesFrom has no cycle, and no container mounts two
 * things at one path (its own mount points and those taken over). */
int taskdef_mounts_check(const struct taskdef *td, struct error *err);

/* The mounts a container gets, its own and those taken over through volumesFrom (followed
 * transitively; a volumesFrom entry with readOnly makes them read-only). Calls fn for each;
 * a negative return from fn stops the walk and is returned. */
typedef int (*taskdef_mount_fn)(void *userdata, const struct taskdef_mount_point *mp,
				bool read_only);
int taskdef_container_mounts(const struct taskdef *td, const struct taskdef_container *c,
			     taskdef_mount_fn fn, void *userdata);

const struct taskdef_volume *taskdef_find_volume(const struct taskdef *td, const char *name);

void taskdef_volumes_release(struct taskdef *td);
void taskdef_container_mounts_release(struct taskdef_container *c);
