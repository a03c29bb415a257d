/* The handlers the route table (agent/api/api_routes.c) names: each decides one kind of
 * answer and returns its HTTP status with the body in *ret. ARG is what the route's '*' or
 * '**' matched ("" when it has none). */
#pragma once

#include <cjson/cJSON.h>

#include "agent/api/api_source.h"

typedef int (*api_handler)(const struct api_source *src, const char *arg, cJSON **ret);
/* The same for an answer in Prometheus text: *ret the text (NULL on failure). */
typedef int (*api_text_handler)(const struct api_source *src, char **ret);

/* The local API (agent/api/api_local.c, agent/api/api_health.c). */
int api_get_metadata(const struct api_source *src, const char *arg, cJSON **ret);
int api_get_tasks(const struct api_source *src, const char *arg, cJSON **ret);
int api_get_task(const struct api_source *src, const char *arg, cJSON **ret);
int api_get_health(const struct api_source *src, const char *arg, cJSON **ret);

/* The node's health as the local API shows it: the link, uptime, tasks by state. One
 * function, so that what health covers grows in one place. NULL when out of memory. */
cJSON *api_health_json(const struct api_source *src);

/* The node's metrics as Prometheus text (agent/api/api_health.c). */
int api_get_metrics(const struct api_source *src, char **ret);

/* The task metadata endpoint, ARG the container's token (agent/api/task_metadata.c). */
int task_metadata_get_container(const struct api_source *src, const char *arg, cJSON **ret);
int task_metadata_get_task(const struct api_source *src, const char *arg, cJSON **ret);
int task_metadata_get_container_stats(const struct api_source *src, const char *arg,
				      cJSON **ret);
int task_metadata_get_task_stats(const struct api_source *src, const char *arg, cJSON **ret);
