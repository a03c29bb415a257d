/* What tether-monitor needs to start one container, resolved on the agent side from the task
 * definition and the image config, and handed over as STATE_FOLDER/config.json. */
#pragma once

#include <stdbool.h>
#include <stdint.h>

#include "common/error.h"
#include "container/container_devices.h"
#include "container/container_health.h"
#include "container/container_log.h"
#include "container/container_security.h"
#include "container/container_storage.h"
#include "image/image.h"
#include "protocol/taskdef.h"

#define CONTAINER_DEFAULT_PATH "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"

struct container_config {
	char **args;          /* NULL-terminated, at least one */
	char **env;           /* NULL-terminated "NAME=value" */
	char *cwd;
	char *user;           /* NULL: root */
	char *hostname;
	char **layers;        /* unpacked layer folders, lowest first, NULL-terminated */
	char *cgroup;         /* relative to the cgroup2 mount */
	uint32_t stop_timeout;
	bool inherit_output;  /* the container writes to the monitor's stdout/stderr directly */
	struct container_log log; /* otherwise its output goes here; set by the caller of
				   * container_config_resolve (container_log_resolve) */
	struct container_storage storage; /* mounts, read-only root, /etc name files */
	struct container_security security;
	struct container_devices devices; /* host devices given by linuxParameters.devices */
	struct taskdef_health_check health_check; /* argv NULL without healthCheck */
};

/* Resolve as Docker does: an entryPoint in the definition replaces the image's Entrypoint and
 * drops its Cmd; a command replaces Cmd; the definition's environment overrides the image's
 * by name; hostname defaults to the first 12 characters of the task id. NETWORK_MODE is the
 * task's networkMode (NULL: host). LAYERS may be NULL. */
int container_config_resolve(const struct taskdef_container *def, const char *network_mode,
			     const struct image_config *img, const char *task_id,
			     char *const *layers, const char *cgroup,
			     struct container_config **ret, struct error *err);

/* NAME=VALUE in the container's environment, replacing NAME's value when it is there. */
int container_config_set_env(struct container_config *cfg, const char *name, const char *value);

int container_config_to_json(const struct container_config *cfg, char **ret_text);
/* Only the "cgroup" member: where the container was born, whichever driver named it. */
int container_config_cgroup_from_json(const char *text, char **ret);
int container_config_from_json(const char *text, struct container_config **ret,
			       struct error *err);

void container_config_free(struct container_config *cfg);
static inline void container_config_freep(struct container_config **cfg)
{
	container_config_free(*cfg);
}
