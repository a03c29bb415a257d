/* The default seccomp filter, equivalent in effect to Docker's default profile: every system
 * call not on the allow-list (seccomp_syscalls.c) fails with EPERM, never a kill; the calls a
 * capability governs are allowed when the container holds it. Built by the monitor before
 * the clone (from the cache when it can, seccomp_filter.h); loaded by the container's
 * process last, after no_new_privs. */
#pragma once

#include <linux/filter.h>
#include <stddef.h>
#include <stdint.h>

#include "common/error.h"

/* A BPF program as the kernel takes it. */
struct seccomp_program {
	struct sock_filter *insns;
	size_t n;
};

/* Build the filter for CAPABILITIES (bit n = capability n) with libseccomp. */
int seccomp_profile_build(uint64_t capabilities, struct seccomp_program *ret, struct error *err);
