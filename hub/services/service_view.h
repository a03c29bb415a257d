/* A service as ECS's DescribeServices, CreateService and UpdateService answer it. */
#pragma once

#include <cjson/cJSON.h>

#include "hub/services/service_store.h"

/* The service's ARN (caller frees; NULL on allocation failure). */
char *service_arn(const char *cluster, const char *name);
cJSON *service_view(struct hub_store *s, const struct service *svc);
