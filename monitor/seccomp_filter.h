/* The container's seccomp program: taken from the node's cache of compiled filters when the
 * same inputs were built before, else built with libseccomp and cached (runtime/
 * seccomp_cache.h), then loaded in the container's process with seccomp(2) directly. */
#pragma once

#include <stdbool.h>
#include <stdint.h>

#include "common/error.h"
#include "monitor/seccomp_profile.h"

/* The cache folder for a container state folder STATE/tasks/TASK/CONTAINER: STATE/seccomp.
 * NULL for a folder laid out otherwise (no cache then) or without memory. */
char *seccomp_cache_dir_of(const char *container_folder);

/* The program for CAPABILITIES, from CACHE_DIR (NULL: no cache) when it holds a whole one,
 * else built and written there. Fails only when the filter cannot be built; a cache that
 * cannot be read (other than absent) or written is reported in CACHE_ERR (its code stays 0
 * otherwise), the program is built all the same. *ret_cached: taken from the cache. */
int seccomp_filter_get(uint64_t capabilities, const char *cache_dir, struct seccomp_program *ret,
		       bool *ret_cached, struct error *cache_err, struct error *err);

void seccomp_program_free(struct seccomp_program *p);

/* In the container's process, after no_new_privs: load P; dies on error (setup_die). */
void seccomp_program_install(const struct seccomp_program *p);
