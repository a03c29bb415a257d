/* A deny list over the host's native architecture, built with libseccomp. Capabilities
 * already refuse most of these calls; the filter also keeps their kernel code paths out of
 * reach. */
#include <errno.h>
#include <seccomp.h>
#include <string.h>

#include "runtime/monitor/rootfs.h"
#include "runtime/monitor/seccomp_profile.h"

static const char *const denied[] = {
	"acct", "add_key", "bpf", "clock_adjtime", "clock_settime", "create_module",
	"delete_module", "finit_module", "fsconfig", "fsmount", "fsopen", "fspick",
	"get_kernel_syms", "init_module", "ioperm", "iopl", "kexec_file_load", "kexec_load",
	"keyctl", "lookup_dcookie", "mount", "mount_setattr", "move_mount", "nfsservctl",
	"open_by_handle_at", "open_tree", "perf_event_open", "pivot_root", "query_module",
	"quotactl", "reboot", "request_key", "setns", "settimeofday", "swapoff", "swapon",
	"_sysctl", "syslog", "umount2", "unshare", "uselib", "userfaultfd", "ustat", "vm86",
	"vm86old",
};

void seccomp_install_default(void)
{
	scmp_filter_ctx ctx = seccomp_init(SCMP_ACT_ALLOW);
	if (!ctx)
		setup_die("seccomp: cannot create a filter");
	for (size_t i = 0; i < sizeof(denied) / sizeof(denied[0]); i++) {
		int nr = seccomp_syscall_resolve_name(denied[i]);
		if (nr == __NR_SCMP_ERROR)
			continue; /* not a system call of this architecture */
		int r = seccomp_rule_add(ctx, SCMP_ACT_ERRNO(EPERM), nr, 0);
		if (r < 0)
			setup_die("seccomp: rule for %s: %s", denied[i], strerror(-r));
	}
	int r = seccomp_load(ctx);
	seccomp_release(ctx);
	if (r < 0)
		setup_die("seccomp: load the filter: %s", strerror(-r));
}
