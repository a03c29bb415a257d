/* The container's resource limits (ulimits), set in its first process before the command
 * and its init start. Runs in the child only; dies on error (setup_die). */
#pragma once

#include "container/container_security.h"

void ulimits_apply(const struct container_security *s);
