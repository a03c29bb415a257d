/* Builds the default filter with libseccomp for the native architecture and its compat ABIs
 * (x86_64 with i386 and x32, arm64 with arm): a 32-bit program in the container gets the
 * same rules, not an unfiltered door. The program is exported, not loaded: the monitor
 * builds it before the clone (and keeps it in the cache, seccomp_filter.c), the container's
 * process loads it. */
#include <errno.h>
#include <linux/capability.h>
#include <linux/sched.h>
#include <sched.h>
#include <seccomp.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/personality.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common/cleanup.h"
#include "monitor/seccomp_cache.h"
#include "monitor/seccomp_profile.h"
#include "monitor/seccomp_syscalls.h"

#define NAMESPACE_FLAGS                                                                      \
	(CLONE_NEWNS | CLONE_NEWUTS | CLONE_NEWIPC | CLONE_NEWUSER | CLONE_NEWPID | CLONE_NEWNET | \
	 CLONE_NEWCGROUP | CLONE_NEWTIME)

static bool has(uint64_t caps, int cap)
{
	return caps & (UINT64_C(1) << cap);
}

/* Add a rule for NAME; a name libseccomp does not know is skipped (older libseccomp, other
 * architecture), and so is one the filter's architectures lack. */
static int add_rule(scmp_filter_ctx ctx, uint32_t action, const char *name, unsigned n,
		    const struct scmp_arg_cmp *cmp, struct error *err)
{
	int nr = seccomp_syscall_resolve_name(name);
	if (nr == __NR_SCMP_ERROR)
		return 0;
	int r = seccomp_rule_add_array(ctx, action, nr, n, cmp);
	if (r < 0 && r != -EDOM)
		return error_set_errno(err, r, "seccomp: rule for %s", name);
	return 0;
}

static int allow(scmp_filter_ctx ctx, const char *name, struct error *err)
{
	return add_rule(ctx, SCMP_ACT_ALLOW, name, 0, NULL, err);
}

static int add_architectures(scmp_filter_ctx ctx, struct error *err)
{
	uint32_t compat[2] = { 0, 0 };
	switch (seccomp_arch_native()) {
	case SCMP_ARCH_X86_64:
		compat[0] = SCMP_ARCH_X86;
		compat[1] = SCMP_ARCH_X32;
		break;
	case SCMP_ARCH_AARCH64:
		compat[0] = SCMP_ARCH_ARM;
		break;
	}
	for (size_t i = 0; i < ELEMENTSOF(compat) && compat[i]; i++) {
		int r = seccomp_arch_add(ctx, compat[i]);
		if (r < 0 && r != -EEXIST)
			return error_set_errno(err, r, "seccomp: add architecture");
	}
	return 0;
}

/* Calls allowed only with some arguments, as Docker's profile has them. */
static int add_conditional_rules(scmp_filter_ctx ctx, uint64_t caps, struct error *err)
{
	/* The personalities programs ask for (Linux, 32-bit Linux, uname26, and the query);
	 * others can turn off address-space randomisation or map page zero. */
	static const uint32_t personas[] = { PER_LINUX, PER_LINUX32, UNAME26,
					     UNAME26 | PER_LINUX32, 0xffffffff };
	for (size_t i = 0; i < ELEMENTSOF(personas); i++) {
		/* Spelled out rather than SCMP_A0_32, whose compound literal leaves datum_b
		 * unnamed (clang's -Wmissing-field-initializers); the datum is the same uint32_t. */
		struct scmp_arg_cmp eq = { .arg = 0, .op = SCMP_CMP_EQ, .datum_a = personas[i] };
		if (add_rule(ctx, SCMP_ACT_ALLOW, "personality", 1, &eq, err) < 0)
			return -err->code;
	}
	/* Every address family but vsock, which reaches the hypervisor's host. */
	struct scmp_arg_cmp not_vsock = { .arg = 0, .op = SCMP_CMP_NE, .datum_a = (uint32_t)AF_VSOCK };
	if (add_rule(ctx, SCMP_ACT_ALLOW, "socket", 1, &not_vsock, err) < 0)
		return -err->code;
	if (has(caps, CAP_SYS_ADMIN))
		return 0; /* clone and clone3 are allowed whole */
	/* New processes and threads, but no new namespaces. */
	struct scmp_arg_cmp no_namespace = SCMP_A0_64(SCMP_CMP_MASKED_EQ, NAMESPACE_FLAGS, 0);
	if (add_rule(ctx, SCMP_ACT_ALLOW, "clone", 1, &no_namespace, err) < 0)
		return -err->code;
	/* clone3 passes its flags in memory, where a filter cannot look: ENOSYS makes the C
	 * library fall back to clone, which the rule above checks. */
	return add_rule(ctx, SCMP_ACT_ERRNO(ENOSYS), "clone3", 0, NULL, err);
}

static int add_rules(scmp_filter_ctx ctx, uint64_t caps, struct error *err)
{
	if (add_architectures(ctx, err) < 0)
		return -err->code;
	for (size_t i = 0; seccomp_allowed_syscalls[i]; i++)
		if (allow(ctx, seccomp_allowed_syscalls[i], err) < 0)
			return -err->code;
	for (size_t i = 0; seccomp_capability_syscalls[i].cap >= 0; i++) {
		const struct seccomp_capability_syscalls *g = &seccomp_capability_syscalls[i];
		if (has(caps, g->cap))
			for (size_t j = 0; g->syscalls[j]; j++)
				if (allow(ctx, g->syscalls[j], err) < 0)
					return -err->code;
	}
	return add_conditional_rules(ctx, caps, err);
}

/* libseccomp 2.5 exports only to a descriptor: a memory file, read back. */
static int export_program(scmp_filter_ctx ctx, struct seccomp_program *ret, struct error *err)
{
	_cleanup_close_ int fd = memfd_create("seccomp-filter", MFD_CLOEXEC);
	if (fd < 0)
		return error_set_errno(err, errno, "seccomp: memfd_create");
	int r = seccomp_export_bpf(ctx, fd);
	if (r < 0)
		return error_set_errno(err, r, "seccomp: export the filter");
	struct stat st;
	if (fstat(fd, &st) < 0)
		return error_set_errno(err, errno, "seccomp: stat the filter");
	size_t size = (size_t)st.st_size, n = size / sizeof(struct sock_filter);
	if (n == 0 || n > SECCOMP_CACHE_MAX_INSNS || size % sizeof(struct sock_filter))
		return error_set(err, EINVAL, "seccomp: the filter has %zu bytes", size);
	struct sock_filter *insns = malloc(size);
	if (!insns)
		return error_set(err, ENOMEM, "seccomp: the filter");
	if (pread(fd, insns, size, 0) != (ssize_t)size) {
		free(insns);
		return error_set(err, EIO, "seccomp: read the filter back");
	}
	*ret = (struct seccomp_program){ .insns = insns, .n = n };
	return 0;
}

int seccomp_profile_build(uint64_t caps, struct seccomp_program *ret, struct error *err)
{
	scmp_filter_ctx ctx = seccomp_init(SCMP_ACT_ERRNO(EPERM));
	if (!ctx)
		return error_set(err, ENOMEM, "seccomp: cannot create a filter");
	int r = add_rules(ctx, caps, err);
	if (r >= 0)
		r = export_program(ctx, ret, err);
	seccomp_release(ctx);
	return r;
}
