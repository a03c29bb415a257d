/* ECS-style ARNs of the hub's resources (region "local", account 000000000000) and the random
 * identifiers inside them. */
#pragma once

#include <stdbool.h>
#include <stddef.h>

#define ARN_REGION_ACCOUNT "local:000000000000:"
#define ARN_PREFIX "arn:aws:ecs:" ARN_REGION_ACCOUNT
#define ARN_EVENTS_PREFIX "arn:aws:events:" ARN_REGION_ACCOUNT
#define HUB_ID_HEX 32 /* task and container instance ids: 32 lowercase hex */

/* All return a string the caller frees, NULL on allocation failure. */
char *arn_cluster(const char *cluster);
char *arn_task(const char *cluster, const char *task_id);
char *arn_container_instance(const char *cluster, const char *instance_id);
char *arn_task_definition(const char *family, long long revision);
char *arn_container(const char *cluster, const char *task_id, const char *name);
/* An EventBridge rule of the default event bus. */
char *arn_rule(const char *name);

/* The last path element of an ARN of the given kind ("task", "container-instance", ...), or
 * the text itself when it is a bare id; NULL when it is an ARN of another kind. Points into s. */
const char *arn_resource_id(const char *s, const char *kind);

/* Random lowercase hex of n bytes (buf holds 2n + 1). 0 or -EIO. */
int random_hex(char *buf, size_t n_bytes);

/* A random version 4 UUID (buf holds 37). */
int random_uuid(char buf[37]);

