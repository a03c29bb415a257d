/* Resolving a container's log driver and its config.json form. */
#include "container/container_log.h"
#include "logs/log_journald.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

/* A socket file left by a journald that is gone refuses the connection. */
bool container_log_journald_running(void)
{
	struct sockaddr_un addr = { .sun_family = AF_UNIX, .sun_path = JOURNALD_SOCKET };
	int fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return false;
	bool running = connect(fd, (struct sockaddr *)&addr, sizeof(addr)) == 0;
	close(fd);
	return running;
}

int container_log_resolve(const struct taskdef_log *def, const char *container_name,
			  const char *task_arn, bool journald_running, struct container_log *ret)
{
	struct container_log log = { .driver = def->driver };
	if (!log.driver)
		log.driver = journald_running ? &log_driver_journald : &log_driver_json_file;
	if (def->options.max_size) {
		log.options.max_size = def->options.max_size;
		log.options.max_file = def->options.max_file ? def->options.max_file : 1;
	} else {
		log.options.max_size = CONTAINER_LOG_DEFAULT_MAX_SIZE;
		log.options.max_file = def->options.max_file ? def->options.max_file : CONTAINER_LOG_DEFAULT_MAX_FILE;
	}
	log.options.tag = strdup(def->options.tag ? def->options.tag : container_name);
	log.task_arn = strdup(task_arn);
	log.container_name = strdup(container_name);
	if (!log.options.tag || !log.task_arn || !log.container_name) {
		container_log_release(&log);
		return -ENOMEM;
	}
	*ret = log;
	return 0;
}

cJSON *container_log_to_json(const struct container_log *log)
{
	cJSON *o = cJSON_CreateObject();
	bool ok = o && cJSON_AddStringToObject(o, "driver", log->driver->name) &&
		  cJSON_AddNumberToObject(o, "max_size", (double)log->options.max_size) &&
		  cJSON_AddNumberToObject(o, "max_file", log->options.max_file) &&
		  cJSON_AddStringToObject(o, "tag", log->options.tag) &&
		  cJSON_AddStringToObject(o, "task_arn", log->task_arn) &&
		  cJSON_AddStringToObject(o, "container_name", log->container_name);
	if (!ok) {
		cJSON_Delete(o);
		return NULL;
	}
	return o;
}

static int string_member(const cJSON *o, const char *name, char **ret)
{
	const cJSON *s = cJSON_GetObjectItemCaseSensitive(o, name);
	if (!cJSON_IsString(s))
		return -EINVAL;
	*ret = strdup(s->valuestring);
	return *ret ? 0 : -ENOMEM;
}

int container_log_from_json(const cJSON *json, struct container_log *ret)
{
	struct container_log log = { 0 };
	const cJSON *driver = cJSON_GetObjectItemCaseSensitive(json, "driver");
	const cJSON *size = cJSON_GetObjectItemCaseSensitive(json, "max_size");
	const cJSON *files = cJSON_GetObjectItemCaseSensitive(json, "max_file");
	if (!cJSON_IsString(driver) || !cJSON_IsNumber(size) || !cJSON_IsNumber(files))
		return -EINVAL;
	log.driver = log_driver_by_name(driver->valuestring);
	if (!log.driver)
		return -EINVAL;
	if (size->valuedouble < (double)LOG_MIN_SIZE ||
	    size->valuedouble > (double)LOG_MAX_SIZE || files->valuedouble < 1 ||
	    files->valuedouble > LOG_MAX_FILES)
		return -EINVAL;
	log.options.max_size = (uint64_t)size->valuedouble;
	log.options.max_file = (uint32_t)files->valuedouble;
	int r = string_member(json, "tag", &log.options.tag);
	if (r == 0)
		r = string_member(json, "task_arn", &log.task_arn);
	if (r == 0)
		r = string_member(json, "container_name", &log.container_name);
	if (r < 0) {
		container_log_release(&log);
		return r;
	}
	*ret = log;
	return 0;
}

void container_log_release(struct container_log *log)
{
	free(log->options.tag);
	free(log->task_arn);
	free(log->container_name);
	*log = (struct container_log){ 0 };
}
