/* The container's privileges: Docker's default capability set, no ambient capabilities, and
 * no_new_privs. Runs in the child only; dies on error (setup_die). */
#pragma once

/* Before the user switch: shrink the bounding set to the defaults. */
void privileges_limit_bounding_set(void);
/* After the user switch: the defaults as permitted/effective/inheritable for uid 0 (other
 * users lost theirs with setuid), then no_new_privs. */
void privileges_finish(void);
