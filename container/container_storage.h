/* The file system part of a container's configuration: the mounts it gets (volumes resolved
 * to host folders), a read-only root, /dev/shm's size, and what goes into its generated
 * /etc/hosts and /etc/resolv.conf. Resolved on the agent side, carried in config.json. */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <cjson/cJSON.h>

#include "common/error.h"
#include "protocol/taskdef.h"

#define CONTAINER_DEFAULT_SHM_MIB 64   /* as Docker */
#define CONTAINER_VOLUMES_FOLDER "volumes" /* task-scoped volumes: TASK_FOLDER/volumes/<name> */

struct container_mount {
	char *source;        /* host path of a bind mount; NULL for a tmpfs */
	char *destination;   /* absolute and normalised, resolved inside the container's root */
	bool read_only;
	char *tmpfs_options; /* tmpfs only: "size=...k" and the like; NULL for a bind mount */
	uint64_t tmpfs_flags; /* tmpfs only: MS_* flags from mountOptions */
};

struct container_storage {
	struct container_mount *mounts;
	size_t n_mounts;
	bool readonly_root;
	uint32_t shm_size_mib;
	char **dns_servers;   /* NULL-terminated; NULL: the host's */
	char **dns_search;    /* NULL-terminated; NULL: the host's */
	char **extra_hosts;   /* NULL-terminated "IP HOSTNAME" lines for /etc/hosts */
};

/* Fill st from the definition: each mount point (its own and those taken through volumesFrom)
 * becomes a bind of its volume's host.sourcePath or of TASK_FOLDER/volumes/<name>. The source
 * folders are not created here (container_storage_create_sources does). */
int container_storage_resolve(const struct taskdef *td, const struct taskdef_container *def,
			      const char *task_folder, struct container_storage *st,
			      struct error *err);

/* Create the missing source folders of bind mounts (as Docker creates a missing -v source). */
int container_storage_create_sources(const struct container_storage *st, struct error *err);

/* config.json members: added to o / read from o. */
bool container_storage_to_json(const struct container_storage *st, cJSON *o);
int container_storage_from_json(const cJSON *o, struct container_storage *st);

void container_storage_release(struct container_storage *st);
