/* The operator API: ECS (JSON 1.1, target prefix AmazonEC2ContainerServiceV20141113) and SSM
 * (AmazonSSM) actions as pure functions over (store, request JSON) -> response JSON, so they
 * run the same from the HTTP server, the unit tests and the fuzzer. */
#pragma once

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>

#include <cjson/cJSON.h>

#include "hub/store/store.h"

#define API_BODY_MAX (64 * 1024)

/* A refused request: HTTP 400 with {"__type": type, "message": message}. */
struct api_fault {
	const char *type;
	char message[512];
};

/* Record a fault and return -EINVAL (handlers return it as their result). */
int api_fail(struct api_fault *f, const char *type, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* A handler fills *ret with the response object, or returns a negative errno with f filled. */
typedef int (*api_handler_fn)(struct hub_store *s, const cJSON *req, cJSON **ret,
			      struct api_fault *f);

/* Handle one request: target is the X-Amz-Target header (may be NULL). Returns the HTTP status
 * and the response body (caller frees). */
/* TARGET (an X-Amz-Target) names an operation of this API. */
bool api_knows(const char *target);

int api_dispatch(struct hub_store *s, const char *target, const char *body, size_t size,
		 char **ret_body);

/* Refuses, by name and all in one answer, the members of req not among members (names
 * separated by spaces); members asking nothing (null, false, [], {}) pass as absent. */
int api_refuse_unknown_members(const cJSON *req, const char *action, const char *members,
			       struct api_fault *f);

/* Typed request fields: absent gives the default / NULL; a wrong type is a fault. */
int api_opt_string(const cJSON *req, const char *name, const char **ret, struct api_fault *f);
int api_opt_int(const cJSON *req, const char *name, long long min, long long max,
		long long def, long long *ret, struct api_fault *f);
/* ECS's bounds: a list call's maxResults is 1-100, a Describe call names at most 100 things. */
#define API_MAX_RESULTS 100
#define API_DESCRIBE_MAX_ITEMS 100
/* A list call's maxResults, checked against ECS's range when present. */
int api_check_max_results(const cJSON *req, struct api_fault *f);
/* Cuts answer's array member (a list call's whole answer, in a stable order) to the page that
 * req's maxResults (default API_MAX_RESULTS) and nextToken ask for, and adds the nextToken of
 * the page after it when there is one (hub/api_page.c). */
int api_page(const cJSON *req, cJSON *answer, const char *member, struct api_fault *f);
/* A Describe call's list of names in member: an array of at most API_DESCRIBE_MAX_ITEMS.
 * ecs_name is what ECS calls it in its refusal ("instanceIds can have at most 100 items.").
 * *ret is NULL when the member is absent and not required. */
int api_describe_list(const cJSON *req, const char *member, const char *ecs_name, bool required,
		      const cJSON **ret, struct api_fault *f);
/* The cluster named by req's "cluster" (name or ARN, default "default"), checked to exist. */
int api_cluster(struct hub_store *s, const cJSON *req, char name[256], struct api_fault *f);
/* Append {"arn": arn, "reason": reason} to an ECS failures list. */
void api_add_failure(cJSON *failures, const char *arn, const char *reason);
/* A fault for a store failure. */
int api_store_fail(struct api_fault *f, const struct error *err);

/* The handlers. */
int ssm_create_activation(struct hub_store *s, const cJSON *req, cJSON **ret, struct api_fault *f);
int ecs_create_cluster(struct hub_store *s, const cJSON *req, cJSON **ret, struct api_fault *f);
int ecs_list_clusters(struct hub_store *s, const cJSON *req, cJSON **ret, struct api_fault *f);
int ecs_describe_clusters(struct hub_store *s, const cJSON *req, cJSON **ret, struct api_fault *f);
int ecs_register_task_definition(struct hub_store *s, const cJSON *req, cJSON **ret,
				 struct api_fault *f);
int ecs_describe_task_definition(struct hub_store *s, const cJSON *req, cJSON **ret,
				 struct api_fault *f);
int ecs_run_task(struct hub_store *s, const cJSON *req, cJSON **ret, struct api_fault *f);
int ecs_stop_task(struct hub_store *s, const cJSON *req, cJSON **ret, struct api_fault *f);
int ecs_describe_tasks(struct hub_store *s, const cJSON *req, cJSON **ret, struct api_fault *f);
int ecs_list_tasks(struct hub_store *s, const cJSON *req, cJSON **ret, struct api_fault *f);
int ecs_list_container_instances(struct hub_store *s, const cJSON *req, cJSON **ret,
				 struct api_fault *f);
int ecs_describe_container_instances(struct hub_store *s, const cJSON *req, cJSON **ret,
				     struct api_fault *f);
int ecs_deregister_container_instance(struct hub_store *s, const cJSON *req, cJSON **ret,
				      struct api_fault *f);
int ecs_put_attributes(struct hub_store *s, const cJSON *req, cJSON **ret, struct api_fault *f);
int ecs_delete_attributes(struct hub_store *s, const cJSON *req, cJSON **ret,
			  struct api_fault *f);
int ecs_list_attributes(struct hub_store *s, const cJSON *req, cJSON **ret, struct api_fault *f);
/* EventBridge (target prefix AWSEvents.): scheduled rules and their ECS targets. */
int events_put_rule(struct hub_store *s, const cJSON *req, cJSON **ret, struct api_fault *f);
int events_describe_rule(struct hub_store *s, const cJSON *req, cJSON **ret, struct api_fault *f);
int events_list_rules(struct hub_store *s, const cJSON *req, cJSON **ret, struct api_fault *f);
int events_enable_rule(struct hub_store *s, const cJSON *req, cJSON **ret, struct api_fault *f);
int events_disable_rule(struct hub_store *s, const cJSON *req, cJSON **ret, struct api_fault *f);
int events_delete_rule(struct hub_store *s, const cJSON *req, cJSON **ret, struct api_fault *f);
int events_put_targets(struct hub_store *s, const cJSON *req, cJSON **ret, struct api_fault *f);
int events_list_targets_by_rule(struct hub_store *s, const cJSON *req, cJSON **ret,
				struct api_fault *f);
int events_remove_targets(struct hub_store *s, const cJSON *req, cJSON **ret,
			  struct api_fault *f);
int ecs_delete_cluster(struct hub_store *s, const cJSON *req, cJSON **ret, struct api_fault *f);
int ecs_list_task_definitions(struct hub_store *s, const cJSON *req, cJSON **ret,
			      struct api_fault *f);
int ecs_list_task_definition_families(struct hub_store *s, const cJSON *req, cJSON **ret,
				      struct api_fault *f);
int ecs_deregister_task_definition(struct hub_store *s, const cJSON *req, cJSON **ret,
				   struct api_fault *f);
int ecs_tag_resource(struct hub_store *s, const cJSON *req, cJSON **ret, struct api_fault *f);
int ecs_untag_resource(struct hub_store *s, const cJSON *req, cJSON **ret, struct api_fault *f);
int ecs_list_tags_for_resource(struct hub_store *s, const cJSON *req, cJSON **ret,
			       struct api_fault *f);
int ecs_start_task(struct hub_store *s, const cJSON *req, cJSON **ret, struct api_fault *f);
int ssm_describe_activations(struct hub_store *s, const cJSON *req, cJSON **ret,
			     struct api_fault *f);
int ssm_delete_activation(struct hub_store *s, const cJSON *req, cJSON **ret, struct api_fault *f);
int ssm_describe_instance_information(struct hub_store *s, const cJSON *req, cJSON **ret,
				      struct api_fault *f);
int ssm_deregister_managed_instance(struct hub_store *s, const cJSON *req, cJSON **ret,
				    struct api_fault *f);
