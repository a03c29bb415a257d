/* What the EventBridge actions (hub/api_events_*.c) share: EventBridge's checks of names and
 * its event bus, its faults (ValidationException where ECS says InvalidParameterException) and
 * its pages (Limit and NextToken over api_page). */
#pragma once

#include "hub/api.h"

#define EVENTS_INVALID "ValidationException"
#define EVENTS_NOT_FOUND "ResourceNotFoundException"

/* api_opt_string with EventBridge's fault type. */
int events_opt_string(const cJSON *req, const char *name, const char **ret, struct api_fault *f);
/* A rule or target name of 1 to 64 of [.-_A-Za-z0-9]; what names it in faults. */
int events_check_name(const char *what, const char *name, bool dots, struct api_fault *f);
/* The rule named by member (Name or Rule), required, checked for form (not existence). */
int events_rule_name(const cJSON *req, const char *member, const char **ret, struct api_fault *f);
/* ResourceNotFoundException for a rule. */
int events_rule_not_found(const char *name, struct api_fault *f);
/* Cuts all (objects, each with a string member key, in a stable order) to the page req's
 * Limit and NextToken ask for, as answer's member out, with NextToken when more follow. */
int events_page(const cJSON *req, cJSON *all, const char *key, cJSON *answer, const char *out,
		struct api_fault *f);
