#include "agent/tasks/task_layers.h"

#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <cjson/cJSON.h>

#include "common/cleanup.h"
#include "common/fileio.h"
#include "container/monitor_lock.h"
#include "container/state_folder.h"
#include "protocol/json_value.h"

#define CONFIG_MAX_SIZE (4u << 20)

struct layer_list {
	char **items;
	size_t n;
};

static int add_layers_of(struct layer_list *list, const char *container_dir)
{
	/* A container whose monitor ended holds nothing; one not started yet is starting. */
	if (monitor_lock_probe(container_dir) == 0)
		return 0;
	char path[4200];
	if (snprintf(path, sizeof(path), "%s/%s", container_dir, CONTAINER_CONFIG_FILE) >=
	    (int)sizeof(path))
		return 0;
	_cleanup_free_ char *json = NULL;
	size_t size = 0;
	if (read_file_full(path, CONFIG_MAX_SIZE, &json, &size) < 0)
		return 0; /* no config yet: its images are still being pulled (and pinned) */
	_cleanup_(cjson_deletep) cJSON *doc = cJSON_ParseWithLength(json, size);
	const cJSON *layers = cJSON_GetObjectItemCaseSensitive(doc, "layers"), *l;
	cJSON_ArrayForEach(l, layers) {
		if (!cJSON_IsString(l))
			continue;
		char **grown = realloc(list->items, (list->n + 2) * sizeof(char *));
		if (!grown)
			return -ENOMEM;
		list->items = grown;
		if (!(list->items[list->n] = strdup(l->valuestring)))
			return -ENOMEM;
		list->items[++list->n] = NULL;
	}
	return 0;
}

/* Calls FN(arg, DIR/name) for every sub-folder of DIR but "." and "..". */
static int each_folder(const char *dir, int (*fn)(void *arg, const char *path), void *arg)
{
	_cleanup_(closedirp) DIR *d = opendir(dir);
	if (!d)
		return errno == ENOENT ? 0 : -errno;
	struct dirent *e;
	while ((e = readdir(d))) {
		if (e->d_name[0] == '.')
			continue;
		char path[4200];
		if (snprintf(path, sizeof(path), "%s/%s", dir, e->d_name) >= (int)sizeof(path))
			continue;
		/* Some file systems say no type in their listings: ask. */
		struct stat st;
		if (e->d_type != DT_DIR &&
		    (e->d_type != DT_UNKNOWN || lstat(path, &st) < 0 || !S_ISDIR(st.st_mode)))
			continue;
		int r = fn(arg, path);
		if (r < 0)
			return r;
	}
	return 0;
}

static int container_folder(void *arg, const char *path)
{
	return add_layers_of(arg, path);
}

static int task_folder(void *arg, const char *path)
{
	return each_folder(path, container_folder, arg);
}

int task_layers_in_use(void *arg, char ***ret)
{
	const char *state_dir = arg;
	char tasks[4200];
	snprintf(tasks, sizeof(tasks), "%s/tasks", state_dir);
	struct layer_list list = { 0 };
	int r = each_folder(tasks, task_folder, &list);
	if (r == 0 && !list.items && !(list.items = calloc(1, sizeof(char *))))
		r = -ENOMEM;
	if (r < 0) {
		for (size_t i = 0; i < list.n; i++)
			free(list.items[i]);
		free(list.items);
		return r;
	}
	*ret = list.items;
	return 0;
}
