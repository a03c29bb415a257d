/* Builds the default filter with libseccomp for the native architecture and its compat ABIs
 * (x86_64 with i386 and x32, arm64 with arm): a 32-bit program in the container gets the
 * same rules, not an unfiltered door. */
#include <errno.h>
#include <linux/capability.h>
#include <linux/sched.h>
#include <sched.h>
#include <seccomp.h>
#include <string.h>
#include <sys/personality.h>
#include <sys/socket.h>

#include "common/cleanup.h"
#include "runtime/monitor/rootfs.h"
#include "runtime/monitor/seccomp_profile.h"
#include "runtime/monitor/seccomp_syscalls.h"

#define NAMESPACE_FLAGS                                                                      \
	(CLONE_NEWNS | CLONE_NEWUTS | CLONE_NEWIPC | CLONE_NEWUSER | CLONE_NEWPID | CLONE_NEWNET | \
	 CLONE_NEWCGROUP | CLONE_NEWTIME)

static bool has(uint64_t caps, int cap)
{
	return caps & (UINT64_C(1) << cap);
}

/* Add a rule for NAME; a name libseccomp does not know is skipped (older libseccomp, other
 * architecture), and so is one the filter's architectures lack. */
static void add_rule(scmp_filter_ctx ctx, uint32_t action, const char *name, unsigned n,
		     const struct scmp_arg_cmp *cmp)
{
	int nr = seccomp_syscall_resolve_name(name);
	if (nr == __NR_SCMP_ERROR)
		return;
	int r = seccomp_rule_add_array(ctx, action, nr, n, cmp);
	if (r < 0 && r != -EDOM)
		setup_die("seccomp: rule for %s: %s", name, strerror(-r));
}

static void allow(scmp_filter_ctx ctx, const char *name)
{
	add_rule(ctx, SCMP_ACT_ALLOW, name, 0, NULL);
}

static void add_architectures(scmp_filter_ctx ctx)
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
			setup_die("seccomp: add architecture: %s", strerror(-r));
	}
}

/* Calls allowed only with some arguments, as Docker's profile has them. */
static void add_conditional_rules(scmp_filter_ctx ctx, uint64_t caps)
{
	/* The personalities programs ask for (Linux, 32-bit Linux, uname26, and the query);
	 * others can turn off address-space randomisation or map page zero. */
	static const uint32_t personas[] = { PER_LINUX, PER_LINUX32, UNAME26,
					     UNAME26 | PER_LINUX32, 0xffffffff };
	for (size_t i = 0; i < ELEMENTSOF(personas); i++) {
		struct scmp_arg_cmp eq = SCMP_A0_32(SCMP_CMP_EQ, personas[i]);
		add_rule(ctx, SCMP_ACT_ALLOW, "personality", 1, &eq);
	}
	/* Every address family but vsock, which reaches the hypervisor's host. */
	struct scmp_arg_cmp not_vsock = SCMP_A0_32(SCMP_CMP_NE, AF_VSOCK);
	add_rule(ctx, SCMP_ACT_ALLOW, "socket", 1, &not_vsock);
	if (has(caps, CAP_SYS_ADMIN))
		return; /* clone and clone3 are allowed whole */
	/* New processes and threads, but no new namespaces. */
	struct scmp_arg_cmp no_namespace = SCMP_A0_64(SCMP_CMP_MASKED_EQ, NAMESPACE_FLAGS, 0);
	add_rule(ctx, SCMP_ACT_ALLOW, "clone", 1, &no_namespace);
	/* clone3 passes its flags in memory, where a filter cannot look: ENOSYS makes the C
	 * library fall back to clone, which the rule above checks. */
	add_rule(ctx, SCMP_ACT_ERRNO(ENOSYS), "clone3", 0, NULL);
}

void seccomp_install_default(uint64_t caps)
{
	scmp_filter_ctx ctx = seccomp_init(SCMP_ACT_ERRNO(EPERM));
	if (!ctx)
		setup_die("seccomp: cannot create a filter");
	add_architectures(ctx);
	for (size_t i = 0; seccomp_allowed_syscalls[i]; i++)
		allow(ctx, seccomp_allowed_syscalls[i]);
	for (size_t i = 0; seccomp_capability_syscalls[i].cap >= 0; i++) {
		const struct seccomp_capability_syscalls *g = &seccomp_capability_syscalls[i];
		if (has(caps, g->cap))
			for (size_t j = 0; g->syscalls[j]; j++)
				allow(ctx, g->syscalls[j]);
	}
	add_conditional_rules(ctx, caps);
	int r = seccomp_load(ctx);
	seccomp_release(ctx);
	if (r < 0)
		setup_die("seccomp: load the filter: %s", strerror(-r));
}
