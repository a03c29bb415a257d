/* The default seccomp filter, equivalent in effect to Docker's default profile: every system
 * call not on the allow-list (seccomp_syscalls.c) fails with EPERM, never a kill; the calls a
 * capability governs are allowed when the container holds it. Installed last, after
 * no_new_privs; dies on error (setup_die). */
#pragma once

#include <stdint.h>

/* CAPABILITIES: the container's set (bit n = capability n). */
void seccomp_install_default(uint64_t capabilities);
