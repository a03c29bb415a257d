/* Cache or build the seccomp program; load it. The cache key covers every input of the
 * build: the capability set, the native architecture (which fixes the compat ABIs), the
 * allow-list and rules (this monitor binary: its device, inode, size and mtime), libseccomp's
 * version and the kernel release. */
#include <errno.h>
#include <linux/seccomp.h>
#include <seccomp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/utsname.h>
#include <unistd.h>

#include "monitor/rootfs.h"
#include "monitor/seccomp_cache.h"
#include "monitor/seccomp_filter.h"
#include "monitor/setup_die.h"

char *seccomp_cache_dir_of(const char *container_folder)
{
	/* Cut ".../tasks/TASK/CONTAINER" down to "..." */
	size_t len = strlen(container_folder);
	while (len > 1 && container_folder[len - 1] == '/')
		len--;
	size_t ends[3];
	for (int i = 0; i < 3; i++) {
		while (len > 0 && container_folder[len - 1] != '/')
			len--;
		if (len <= 1)
			return NULL;
		ends[i] = len;
		len--; /* the slash */
	}
	size_t tasks_len = ends[1] - 1 - ends[2];
	if (tasks_len != strlen("tasks") || strncmp(container_folder + ends[2], "tasks", tasks_len))
		return NULL;
	char *dir = NULL;
	return asprintf(&dir, "%.*sseccomp", (int)ends[2], container_folder) < 0 ? NULL : dir;
}

static int filter_key(uint64_t caps, uint64_t *ret)
{
	struct stat exe;
	struct utsname uts;
	if (stat("/proc/self/exe", &exe) < 0)
		return -errno;
	if (uname(&uts) < 0)
		return -errno;
	const struct scmp_version *v = seccomp_version();
	uint64_t in[] = {
		caps, seccomp_arch_native(), v ? v->major : 0, v ? v->minor : 0, v ? v->micro : 0,
		exe.st_dev, exe.st_ino, (uint64_t)exe.st_size, (uint64_t)exe.st_mtim.tv_sec,
		(uint64_t)exe.st_mtim.tv_nsec,
	};
	uint64_t hash = seccomp_cache_hash(SECCOMP_CACHE_HASH_INIT, in, sizeof(in));
	*ret = seccomp_cache_hash(hash, uts.release, strlen(uts.release));
	return 0;
}

int seccomp_filter_get(uint64_t caps, const char *cache_dir, struct seccomp_program *ret,
		       bool *ret_cached, struct error *cache_err, struct error *err)
{
	*ret_cached = false;
	uint64_t key = 0;
	if (cache_dir) {
		int r = filter_key(caps, &key);
		if (r < 0) {
			error_set_errno(cache_err, r, "seccomp cache key");
			cache_dir = NULL;
		}
	}
	if (cache_dir) {
		struct error read_err = { 0 };
		if (seccomp_cache_read(cache_dir, key, &ret->insns, &ret->n, &read_err) == 0) {
			*ret_cached = true;
			return 0;
		}
		if (read_err.code != ENOENT)
			*cache_err = read_err;
	}
	int r = seccomp_profile_build(caps, ret, err);
	if (r < 0)
		return r;
	struct error write_err = { 0 };
	if (cache_dir && seccomp_cache_write(cache_dir, key, ret->insns, ret->n, &write_err) < 0 &&
	    !cache_err->code)
		*cache_err = write_err;
	return 0;
}

void seccomp_program_free(struct seccomp_program *p)
{
	free(p->insns);
	*p = (struct seccomp_program){ 0 };
}

void seccomp_program_install(const struct seccomp_program *p)
{
	struct sock_fprog prog = { .len = (unsigned short)p->n, .filter = p->insns };
	if (syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, 0, &prog) < 0)
		setup_die("seccomp: load the filter: %s", strerror(errno));
}
