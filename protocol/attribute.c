#include <string.h>

#include "protocol/attribute.h"

#define ALNUM "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"

bool attribute_name_is_valid(const char *name)
{
	size_t n = strlen(name);
	return n >= 1 && n <= ATTRIBUTE_TEXT_MAX && strspn(name, ALNUM "-_./@") == n;
}

bool attribute_value_is_valid(const char *value)
{
	size_t n = strlen(value);
	return n <= ATTRIBUTE_TEXT_MAX && strspn(value, ALNUM "-_./@\\: ") == n &&
	       (n == 0 || (value[0] != ' ' && value[n - 1] != ' '));
}

bool attribute_name_is_builtin(const char *name)
{
	return strncmp(name, "ecs.", 4) == 0 || strncmp(name, "tether.", 7) == 0;
}
