/* Compiled seccomp filters kept on disk, so that a container whose filter inputs were seen
 * before loads the finished BPF program instead of having libseccomp build it again (about
 * 15 ms of CPU on an x86_64 host, far more under emulation). A file holds one program:
 *
 *   "TETHBPF1" | key (u64) | instruction count (u32) | zero (u32) | hash (u64) | program
 *
 * in native byte order (the cache never leaves the node). The key names the inputs (the
 * caller hashes them); the hash is FNV-1a over everything before it and the program, so a
 * torn, truncated or bit-rotten file is refused and the filter is built again. The files are
 * not fsynced: after a crash they are either whole or refused. The directory is the agent's
 * (root, 0700): the hash guards against damage, the permissions against other writers. */
#pragma once

#include <linux/filter.h>
#include <stddef.h>
#include <stdint.h>

#include "common/error.h"

#define SECCOMP_CACHE_MAGIC "TETHBPF1"
#define SECCOMP_CACHE_HEADER_SIZE 32
#define SECCOMP_CACHE_MAX_INSNS 4096 /* BPF_MAXINSNS: the kernel loads no longer program */

/* FNV-1a 64 of SIZE bytes, continuing from HASH (start with SECCOMP_CACHE_HASH_INIT). */
#define SECCOMP_CACHE_HASH_INIT UINT64_C(0xcbf29ce484222325)
uint64_t seccomp_cache_hash(uint64_t hash, const void *data, size_t size);

/* The file's bytes for PROGRAM (N instructions) under KEY; *ret_size bytes, malloc'ed. */
int seccomp_cache_encode(uint64_t key, const struct sock_filter *program, size_t n,
			 void **ret_data, size_t *ret_size);
/* The program a file's bytes hold, when they are whole and were written for KEY:
 * -EBADMSG otherwise (wrong size, magic, key or hash). *ret_program is malloc'ed. */
int seccomp_cache_decode(const void *data, size_t size, uint64_t key,
			 struct sock_filter **ret_program, size_t *ret_n);

/* Read DIR/KEY.bpf. -ENOENT when absent; -EPERM when it is not a regular file owned by us
 * and writable by us alone; -EBADMSG when damaged. */
int seccomp_cache_read(const char *dir, uint64_t key, struct sock_filter **ret_program,
		       size_t *ret_n, struct error *err);
/* Write DIR/KEY.bpf atomically (an O_TMPFILE linked in and renamed over the old one);
 * creates DIR (0700) when missing. */
int seccomp_cache_write(const char *dir, uint64_t key, const struct sock_filter *program,
			size_t n, struct error *err);
