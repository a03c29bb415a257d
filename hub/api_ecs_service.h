/* ECS's service actions (hub/api_ecs_service.c, hub/api_ecs_service_query.c) and
 * UpdateContainerInstancesState, over the service scheduler's store (hub/services/). */
#pragma once

#include "hub/api.h"

int ecs_create_service(struct hub_store *s, const cJSON *req, cJSON **ret, struct api_fault *f);
int ecs_update_service(struct hub_store *s, const cJSON *req, cJSON **ret, struct api_fault *f);
int ecs_delete_service(struct hub_store *s, const cJSON *req, cJSON **ret, struct api_fault *f);
int ecs_describe_services(struct hub_store *s, const cJSON *req, cJSON **ret,
			  struct api_fault *f);
int ecs_list_services(struct hub_store *s, const cJSON *req, cJSON **ret, struct api_fault *f);
int ecs_update_container_instances_state(struct hub_store *s, const cJSON *req, cJSON **ret,
					 struct api_fault *f);

/* The service req's member names (name or ARN) in cluster: 0 and *ret, else a fault
 * (ServiceNotFoundException when there is none). */
struct service;
int api_service(struct hub_store *s, const char *cluster, const cJSON *req, const char *member,
		struct service *ret, struct api_fault *f);
