/* Container instance attributes as ECS takes them: the agent's built-in ones ("ecs.*",
 * "tether.*") and the operator's own (PutAttributes, `tether register --attribute`). The hub
 * and the agent's register command check names and values with the same rules. */
#pragma once

#include <stdbool.h>

/* ECS's limits: a name or a value of at most 128 characters, at most 10 custom attributes on
 * one container instance (and in one PutAttributes call). */
#define ATTRIBUTE_TEXT_MAX 128
#define ATTRIBUTE_CUSTOM_MAX 10

/* 1 to 128 letters, digits, '-', '_', '.', '/' or '@'. */
bool attribute_name_is_valid(const char *name);
/* Up to 128 letters, digits, '-', '_', '.', '/', '@', '\', ':' or spaces, neither starting nor
 * ending with a space. */
bool attribute_value_is_valid(const char *value);
/* Names the agent reports itself ("ecs." and "tether."): an operator can neither set nor
 * delete them. */
bool attribute_name_is_builtin(const char *name);
