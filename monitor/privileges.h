/* The container's privileges: its capability set (Docker's defaults unless the definition
 * changes them), no ambient or inheritable capabilities, and no_new_privs. Runs in the child
 * only; dies on error (setup_die). */
#pragma once

#include <stdint.h>

/* Before the user switch: shrink the bounding set to CAPS (bit n = capability n). */
void privileges_limit_bounding_set(uint64_t caps);
/* After the user switch: CAPS as permitted and effective for uid 0 (other users lost theirs
 * with setuid and keep CAPS only as their bounding set), then no_new_privs. */
void privileges_finish(uint64_t caps);
/* For the container's init: no capabilities at all, then no_new_privs. */
void privileges_drop_all(void);
