/* The lists behind the default seccomp profile (seccomp_profile.c applies them). */
#pragma once

/* Allowed for every container; NULL-terminated. */
extern const char *const seccomp_allowed_syscalls[];

/* Allowed when the container holds CAP; the table ends with cap -1. */
struct seccomp_capability_syscalls {
	int cap;
	const char *const *syscalls;   /* NULL-terminated */
};
extern const struct seccomp_capability_syscalls seccomp_capability_syscalls[];
