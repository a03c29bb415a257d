#include "protocol/taskdef_container.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "common/cleanup.h"
#include "protocol/json_value.h"
#include "protocol/taskdef_dns.h"
#include "protocol/taskdef_mounts.h"
#include "protocol/taskdef_units.h"

bool taskdef_name_is_valid(const char *s)
{
	size_t len = strlen(s);
	return len >= 1 && len <= TASKDEF_MAX_NAME &&
	       strspn(s, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_-") == len;
}

static bool hostname_is_valid(const char *s)
{
	size_t len = strlen(s);
	return len >= 1 && len <= TASKDEF_MAX_HOSTNAME && s[0] != '-' && s[0] != '.' &&
	       strspn(s, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789.-") == len;
}

static bool has_control_character(const char *s)
{
	for (; *s; s++)
		if ((unsigned char)*s < 0x20 || *s == 0x7f)
			return true;
	return false;
}

static int parse_variable(const cJSON *item, const char *path, void *items, size_t i,
			  struct error *err)
{
	static const char *const names[] = { "name", "value" };
	struct taskdef_env *environment = items, *env = &environment[i];
	char field_path[JSON_PATH_MAX];
	const cJSON *found[ELEMENTSOF(names)];
	int r = json_object_members(item, path, names, ELEMENTSOF(names), found, err);
	if (r < 0)
		return r;
	json_path(field_path, "%s.name", path);
	if (!found[0])
		return error_set(err, EINVAL, "%s: required", field_path);
	r = json_get_string(found[0], field_path, 1, TASKDEF_MAX_ENV_NAME, &env->name, err);
	if (r < 0)
		return r;
	if (strchr(env->name, '=') || has_control_character(env->name))
		return error_set(err, EINVAL, "%s: must not contain '=' or control characters",
				 field_path);
	for (size_t j = 0; j < i; j++)
		if (strcmp(environment[j].name, env->name) == 0)
			return error_set(err, EINVAL, "%s: \"%s\" is given twice", field_path,
					 env->name);
	json_path(field_path, "%s.value", path);
	/* ECS allows a variable without a value; it is then the empty string. */
	if (!found[1])
		env->value = strdup("");
	else if ((r = json_get_string(found[1], field_path, 0, TASKDEF_MAX_ENV_VALUE,
				      &env->value, err)) < 0)
		return r;
	if (!env->value)
		return error_set(err, ENOMEM, "%s: out of memory", field_path);
	return 0;
}

static int parse_environment(const cJSON *v, const char *path, struct taskdef_container *c,
			     struct error *err)
{
	static const struct json_object_array spec = {
		.shape = "{name, value}", .what = "variables", .max_items = TASKDEF_MAX_ENVIRONMENT,
		.item_size = sizeof(*c->environment), .parse = parse_variable,
	};
	return json_parse_object_array(v, path, &spec, &c->environment, &c->n_environment, err);
}

enum container_field {
	F_NAME, F_IMAGE, F_ESSENTIAL, F_COMMAND, F_ENTRY_POINT, F_ENVIRONMENT,
	F_WORKING_DIRECTORY, F_USER, F_HOSTNAME, F_CPU, F_MEMORY, F_MEMORY_RESERVATION,
	F_STOP_TIMEOUT, F_LINUX_PARAMETERS, F_ULIMITS, F_READONLY_ROOT, F_MOUNT_POINTS,
	F_VOLUMES_FROM, F_DNS_SERVERS, F_DNS_SEARCH_DOMAINS, F_EXTRA_HOSTS, F_LOG_CONFIGURATION,
	F_DEPENDS_ON, F_START_TIMEOUT,
	F_HEALTH_CHECK, F_RESTART_POLICY, _F_MAX,
};

static const char *const container_fields[_F_MAX] = {
	[F_NAME] = "name",
	[F_IMAGE] = "image",
	[F_ESSENTIAL] = "essential",
	[F_COMMAND] = "command",
	[F_ENTRY_POINT] = "entryPoint",
	[F_ENVIRONMENT] = "environment",
	[F_WORKING_DIRECTORY] = "workingDirectory",
	[F_USER] = "user",
	[F_HOSTNAME] = "hostname",
	[F_CPU] = "cpu",
	[F_MEMORY] = "memory",
	[F_MEMORY_RESERVATION] = "memoryReservation",
	[F_STOP_TIMEOUT] = "stopTimeout",
	[F_LINUX_PARAMETERS] = "linuxParameters",
	[F_ULIMITS] = "ulimits",
	[F_READONLY_ROOT] = "readonlyRootFilesystem",
	[F_MOUNT_POINTS] = "mountPoints",
	[F_VOLUMES_FROM] = "volumesFrom",
	[F_DNS_SERVERS] = "dnsServers",
	[F_DNS_SEARCH_DOMAINS] = "dnsSearchDomains",
	[F_EXTRA_HOSTS] = "extraHosts",
	[F_LOG_CONFIGURATION] = "logConfiguration",
	[F_DEPENDS_ON] = "dependsOn",
	[F_START_TIMEOUT] = "startTimeout",
	[F_HEALTH_CHECK] = "healthCheck",
	[F_RESTART_POLICY] = "restartPolicy",
};

static int parse_strings(const cJSON *found[], char path[JSON_PATH_MAX], const char *prefix,
			 struct taskdef_container *c, struct error *err)
{
	int r;
#define FIELD_PATH(f) (json_path(path, "%s.%s", prefix, container_fields[f]), path)
	if (!found[F_NAME])
		return error_set(err, EINVAL, "%s: required", FIELD_PATH(F_NAME));
	r = json_get_string(found[F_NAME], FIELD_PATH(F_NAME), 1, TASKDEF_MAX_NAME, &c->name, err);
	if (r < 0)
		return r;
	if (!taskdef_name_is_valid(c->name))
		return error_set(err, EINVAL, "%s: only letters, digits, '-' and '_' are allowed",
				 path);
	if (!found[F_IMAGE])
		return error_set(err, EINVAL, "%s: required", FIELD_PATH(F_IMAGE));
	r = json_get_string(found[F_IMAGE], FIELD_PATH(F_IMAGE), 1, TASKDEF_MAX_IMAGE, &c->image,
			    err);
	if (r < 0)
		return r;
	if (strpbrk(c->image, " \t") || has_control_character(c->image))
		return error_set(err, EINVAL, "%s: must not contain spaces or control characters",
				 path);
	if (found[F_WORKING_DIRECTORY]) {
		r = json_get_string(found[F_WORKING_DIRECTORY], FIELD_PATH(F_WORKING_DIRECTORY), 1,
				    TASKDEF_MAX_PATH, &c->working_directory, err);
		if (r < 0)
			return r;
		if (c->working_directory[0] != '/')
			return error_set(err, EINVAL, "%s: must be an absolute path", path);
	}
	if (found[F_USER]) {
		r = json_get_string(found[F_USER], FIELD_PATH(F_USER), 1, TASKDEF_MAX_USER, &c->user,
				    err);
		if (r < 0)
			return r;
		if (has_control_character(c->user))
			return error_set(err, EINVAL, "%s: must not contain control characters",
					 path);
		/* ECS's forms: user, user:group, uid, uid:gid, user:gid, uid:group. */
		const char *colon = strchr(c->user, ':');
		if (c->user[0] == ':' || (colon && (!colon[1] || strchr(colon + 1, ':'))))
			return error_set(err, EINVAL,
					 "%s: \"%s\" is not USER or USER:GROUP (names or numbers)",
					 path, c->user);
	}
	if (found[F_HOSTNAME]) {
		r = json_get_string(found[F_HOSTNAME], FIELD_PATH(F_HOSTNAME), 1,
				    TASKDEF_MAX_HOSTNAME, &c->hostname, err);
		if (r < 0)
			return r;
		if (!hostname_is_valid(c->hostname))
			return error_set(err, EINVAL, "%s: \"%s\" is not a valid hostname", path,
					 c->hostname);
	}
	if (found[F_COMMAND]) {
		r = json_get_string_array(found[F_COMMAND], FIELD_PATH(F_COMMAND), TASKDEF_MAX_ARGS,
					  TASKDEF_MAX_ARG, &c->command, err);
		if (r < 0)
			return r;
	}
	if (found[F_ENTRY_POINT]) {
		r = json_get_string_array(found[F_ENTRY_POINT], FIELD_PATH(F_ENTRY_POINT),
					  TASKDEF_MAX_ARGS, TASKDEF_MAX_ARG, &c->entry_point, err);
		if (r < 0)
			return r;
	}
	if (found[F_ENVIRONMENT]) {
		r = parse_environment(found[F_ENVIRONMENT], FIELD_PATH(F_ENVIRONMENT), c, err);
		if (r < 0)
			return r;
	}
	return 0;
}

static int parse_numbers(const cJSON *found[], char path[JSON_PATH_MAX], const char *prefix,
			 struct taskdef_container *c, struct error *err)
{
	uint64_t n;
	int r;
	c->essential = true;
	if (found[F_ESSENTIAL] &&
	    (r = json_get_bool(found[F_ESSENTIAL], FIELD_PATH(F_ESSENTIAL), &c->essential, err)) < 0)
		return r;
	if (found[F_CPU]) {
		r = json_get_uint(found[F_CPU], FIELD_PATH(F_CPU), 0, TASKDEF_MAX_CONTAINER_CPU, &n,
				  err);
		if (r < 0)
			return r;
		c->cpu = (uint32_t)n;
	}
	if (found[F_MEMORY]) {
		r = json_get_uint(found[F_MEMORY], FIELD_PATH(F_MEMORY), TASKDEF_MIN_MEMORY_MIB,
				  TASKDEF_MAX_MEMORY_MIB, &n, err);
		if (r < 0)
			return r;
		c->memory_mib = (uint32_t)n;
	}
	if (found[F_MEMORY_RESERVATION]) {
		r = json_get_uint(found[F_MEMORY_RESERVATION], FIELD_PATH(F_MEMORY_RESERVATION),
				  TASKDEF_MIN_MEMORY_MIB, TASKDEF_MAX_MEMORY_MIB, &n, err);
		if (r < 0)
			return r;
		c->memory_reservation_mib = (uint32_t)n;
		if (c->memory_mib && c->memory_reservation_mib > c->memory_mib)
			return error_set(err, EINVAL, "%s: %u MiB is more than memory (%u MiB)", path,
					 c->memory_reservation_mib, c->memory_mib);
	}
	c->stop_timeout = TASKDEF_DEFAULT_STOP_TIMEOUT;
	if (found[F_STOP_TIMEOUT]) {
		r = json_get_uint(found[F_STOP_TIMEOUT], FIELD_PATH(F_STOP_TIMEOUT), 0,
				  TASKDEF_MAX_STOP_TIMEOUT, &n, err);
		if (r < 0)
			return r;
		c->stop_timeout = (uint32_t)n;
	}
	if (found[F_READONLY_ROOT] &&
	    (r = json_get_bool(found[F_READONLY_ROOT], FIELD_PATH(F_READONLY_ROOT),
			       &c->readonly_root_filesystem, err)) < 0)
		return r;
	return 0;
}

static int parse_linux(const cJSON *found[], char path[JSON_PATH_MAX], const char *prefix,
		       struct taskdef_container *c, struct error *err)
{
	int r;
	if (found[F_LINUX_PARAMETERS] &&
	    (r = taskdef_linux_from_json(found[F_LINUX_PARAMETERS], FIELD_PATH(F_LINUX_PARAMETERS),
					 &c->linux_parameters, err)) < 0)
		return r;
	if (found[F_ULIMITS] &&
	    (r = taskdef_ulimits_from_json(found[F_ULIMITS], FIELD_PATH(F_ULIMITS), &c->ulimits,
					   &c->n_ulimits, err)) < 0)
		return r;
#undef FIELD_PATH
	return 0;
}

/* Storage and name resolution: mountPoints, volumesFrom, dnsServers, dnsSearchDomains,
 * extraHosts (checked against the task's volumes and containers by taskdef_mounts_check). */
static int parse_files(const cJSON *found[], const char *path, struct taskdef_container *c,
		       struct error *err)
{
	int r = 0;
	if (found[F_MOUNT_POINTS] &&
	    (r = taskdef_mount_points_from_json(found[F_MOUNT_POINTS], path, c, err)) < 0)
		return r;
	if (found[F_VOLUMES_FROM] &&
	    (r = taskdef_volumes_from_from_json(found[F_VOLUMES_FROM], path, c, err)) < 0)
		return r;
	if (found[F_DNS_SERVERS] &&
	    (r = taskdef_dns_servers_from_json(found[F_DNS_SERVERS], path, c, err)) < 0)
		return r;
	if (found[F_DNS_SEARCH_DOMAINS] &&
	    (r = taskdef_dns_search_from_json(found[F_DNS_SEARCH_DOMAINS], path, c, err)) < 0)
		return r;
	if (found[F_EXTRA_HOSTS] &&
	    (r = taskdef_extra_hosts_from_json(found[F_EXTRA_HOSTS], path, c, err)) < 0)
		return r;
	return 0;
}

int taskdef_container_from_json(const cJSON *json, const char *path, struct taskdef_container *c,
				struct error *err)
{
	const cJSON *found[_F_MAX];
	char field_path[JSON_PATH_MAX];
	int r = json_object_members(json, path, container_fields, _F_MAX, found, err);
	if (r < 0)
		return r;
	r = parse_strings(found, field_path, path, c, err);
	if (r < 0)
		return r;
	r = parse_numbers(found, field_path, path, c, err);
	if (r < 0)
		return r;
	r = parse_linux(found, field_path, path, c, err);
	if (r < 0)
		return r;
	r = parse_files(found, path, c, err);
	if (r >= 0)
		r = taskdef_depends_from_json(found[F_DEPENDS_ON], found[F_START_TIMEOUT], path, c, err);
	if (r >= 0 && found[F_HEALTH_CHECK]) {
		json_path(field_path, "%s.healthCheck", path);
		r = taskdef_health_from_json(found[F_HEALTH_CHECK], field_path, &c->health_check, err);
	}
	if (r >= 0 && found[F_RESTART_POLICY]) {
		json_path(field_path, "%s.restartPolicy", path);
		r = taskdef_restart_from_json(found[F_RESTART_POLICY], field_path,
					      &c->restart_policy, err);
	}
	if (r < 0 || !found[F_LOG_CONFIGURATION])
		return r;
	json_path(field_path, "%s.logConfiguration", path);
	return taskdef_log_from_json(found[F_LOG_CONFIGURATION], field_path, &c->log, err);
}

void taskdef_container_release(struct taskdef_container *c)
{
	free(c->name);
	free(c->image);
	json_strv_free(c->command);
	json_strv_free(c->entry_point);
	for (size_t i = 0; i < c->n_environment; i++) {
		free(c->environment[i].name);
		free(c->environment[i].value);
	}
	free(c->environment);
	free(c->working_directory);
	free(c->user);
	free(c->hostname);
	taskdef_linux_release(&c->linux_parameters);
	free(c->ulimits);
	taskdef_container_mounts_release(c);
	taskdef_container_dns_release(c);
	taskdef_log_release(&c->log);
	taskdef_depends_release(c);
	taskdef_health_release(&c->health_check);
	*c = (struct taskdef_container){ 0 };
}
