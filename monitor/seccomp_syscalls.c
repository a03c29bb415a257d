/* Which system calls a container may make: the calls ordinary programs need, on x86_64 and
 * its i386/x32 ABIs (and arm64/arm, where tether also runs), and the calls only a capability
 * makes useful, opened when the container holds that capability. What is listed nowhere is
 * refused with EPERM: kernel modules, kexec, swap, the kernel keyring, io_uring, userfaultfd,
 * the obsolete calls, and everything the kernel adds later until it is reviewed here. Names
 * libseccomp does not know are skipped by the profile, so one list serves every version. */
#include <linux/capability.h>
#include <stddef.h>

#include "monitor/seccomp_syscalls.h"

const char *const seccomp_allowed_syscalls[] = {
	/* files and file descriptors */
	"access", "chdir", "chmod", "chown", "chown32", "close", "close_range", "copy_file_range",
	"creat", "dup", "dup2", "dup3", "faccessat", "faccessat2", "fadvise64", "fadvise64_64",
	"fallocate", "fchdir", "fchmod", "fchmodat", "fchown", "fchown32", "fchownat", "fcntl",
	"fcntl64", "fdatasync", "flock", "fstat", "fstat64", "fstatat64", "fstatfs", "fstatfs64",
	"fsync", "ftruncate", "ftruncate64", "futimesat", "getcwd", "getdents", "getdents64",
	"lchown", "lchown32", "link", "linkat", "llseek", "_llseek", "lseek", "lstat", "lstat64",
	"mkdir", "mkdirat", "mknod", "mknodat", "newfstatat", "open", "openat", "openat2",
	"pipe", "pipe2", "pread64", "preadv", "preadv2", "pwrite64", "pwritev", "pwritev2",
	"read", "readahead", "readlink", "readlinkat", "readv", "rename", "renameat", "renameat2",
	"rmdir", "sendfile", "sendfile64", "splice", "stat", "stat64", "statfs", "statfs64",
	"statx", "symlink", "symlinkat", "sync", "sync_file_range", "sync_file_range2", "syncfs",
	"tee", "truncate", "truncate64", "umask", "unlink", "unlinkat", "utime", "utimensat",
	"utimensat_time64", "utimes", "vmsplice", "write", "writev", "arm_fadvise64_64",
	"arm_sync_file_range",
	/* extended attributes */
	"fgetxattr", "flistxattr", "fremovexattr", "fsetxattr", "getxattr", "lgetxattr",
	"listxattr", "llistxattr", "lremovexattr", "lsetxattr", "removexattr", "setxattr",
	/* waiting on descriptors, events, notifications */
	"epoll_create", "epoll_create1", "epoll_ctl", "epoll_pwait", "epoll_pwait2", "epoll_wait",
	"eventfd", "eventfd2", "fanotify_mark", "inotify_add_watch", "inotify_init",
	"inotify_init1", "inotify_rm_watch", "poll", "ppoll", "ppoll_time64", "pselect6",
	"pselect6_time64", "select", "_newselect", "signalfd", "signalfd4", "timerfd_create",
	"timerfd_gettime", "timerfd_gettime64", "timerfd_settime", "timerfd_settime64",
	/* asynchronous I/O */
	"io_cancel", "io_destroy", "io_getevents", "io_pgetevents", "io_pgetevents_time64",
	"io_setup", "io_submit", "ioctl",
	/* memory */
	"brk", "madvise", "membarrier", "memfd_create", "mincore", "mlock", "mlock2", "mlockall",
	"mmap", "mmap2", "mprotect", "mremap", "msync", "munlock", "munlockall", "munmap",
	"pkey_alloc", "pkey_free", "pkey_mprotect", "remap_file_pages",
	/* processes, threads, sessions */
	"arch_prctl", "capget", "capset", "execve", "execveat", "exit", "exit_group", "fork",
	"get_robust_list", "get_thread_area", "getcpu", "getpgid", "getpgrp", "getpid", "getppid",
	"getpriority", "getrandom", "getrlimit", "getrusage", "getsid", "gettid", "ioprio_get",
	"ioprio_set", "nice", "pidfd_open", "pidfd_send_signal", "prctl", "prlimit64",
	"process_mrelease", "restart_syscall", "rseq", "sched_get_priority_max",
	"sched_get_priority_min", "sched_getaffinity", "sched_getattr", "sched_getparam",
	"sched_getscheduler", "sched_rr_get_interval", "sched_rr_get_interval_time64",
	"sched_setaffinity", "sched_setattr", "sched_setparam", "sched_setscheduler",
	"sched_yield", "seccomp", "set_robust_list", "set_thread_area", "set_tid_address",
	"setpgid", "setpriority", "setrlimit", "setsid", "ugetrlimit", "uname", "vfork", "wait4",
	"waitid", "waitpid", "landlock_add_rule", "landlock_create_ruleset",
	"landlock_restrict_self", "breakpoint", "cacheflush", "set_tls",
	/* users and groups (the capabilities decide what a change may do) */
	"getegid", "getegid32", "geteuid", "geteuid32", "getgid", "getgid32", "getgroups",
	"getgroups32", "getresgid", "getresgid32", "getresuid", "getresuid32", "getuid",
	"getuid32", "setfsgid", "setfsgid32", "setfsuid", "setfsuid32", "setgid", "setgid32",
	"setgroups", "setgroups32", "setregid", "setregid32", "setresgid", "setresgid32",
	"setresuid", "setresuid32", "setreuid", "setreuid32", "setuid", "setuid32",
	/* signals */
	"alarm", "getitimer", "kill", "pause", "rt_sigaction", "rt_sigpending", "rt_sigprocmask",
	"rt_sigqueueinfo", "rt_sigreturn", "rt_sigsuspend", "rt_sigtimedwait",
	"rt_sigtimedwait_time64", "rt_tgsigqueueinfo", "setitimer", "sigaction", "sigaltstack",
	"signal", "sigpending", "sigprocmask", "sigreturn", "sigsuspend", "tgkill", "tkill",
	/* time (reading it; setting it needs SYS_TIME) */
	"adjtimex", "clock_getres", "clock_getres_time64", "clock_gettime", "clock_gettime64",
	"clock_nanosleep", "clock_nanosleep_time64", "gettimeofday", "nanosleep", "time",
	"timer_create", "timer_delete", "timer_getoverrun", "timer_gettime", "timer_gettime64",
	"timer_settime", "timer_settime64", "times",
	/* futexes */
	"futex", "futex_time64", "futex_waitv",
	/* System V and POSIX IPC (the container has its own IPC namespace) */
	"ipc", "mq_getsetattr", "mq_notify", "mq_open", "mq_timedreceive",
	"mq_timedreceive_time64", "mq_timedsend", "mq_timedsend_time64", "mq_unlink", "msgctl",
	"msgget", "msgrcv", "msgsnd", "semctl", "semget", "semop", "semtimedop",
	"semtimedop_time64", "shmat", "shmctl", "shmdt", "shmget",
	/* sockets (socket itself is checked by family) */
	"accept", "accept4", "bind", "connect", "getpeername", "getsockname", "getsockopt",
	"listen", "recv", "recvfrom", "recvmmsg", "recvmmsg_time64", "recvmsg", "send",
	"sendmmsg", "sendmsg", "sendto", "setsockopt", "shutdown", "socketcall", "socketpair",
	/* system information */
	"sysinfo", "olduname",
	NULL,
};

static const char *const sys_admin[] = {
	"bpf", "clone", "clone3", "fanotify_init", "fsconfig", "fsmount", "fsopen", "fspick",
	"lookup_dcookie", "mount", "mount_setattr", "move_mount", "open_tree", "perf_event_open",
	"pivot_root", "quotactl", "quotactl_fd", "setdomainname", "sethostname", "setns",
	"syslog", "umount", "umount2", "unshare", NULL,
};
static const char *const sys_boot[] = { "reboot", NULL };
static const char *const sys_chroot[] = { "chroot", NULL };
static const char *const sys_module[] = { "delete_module", "finit_module", "init_module", NULL };
static const char *const sys_pacct[] = { "acct", NULL };
static const char *const sys_ptrace[] = {
	"kcmp", "pidfd_getfd", "process_madvise", "process_vm_readv", "process_vm_writev",
	"ptrace", NULL,
};
static const char *const sys_rawio[] = { "iopl", "ioperm", NULL };
static const char *const sys_time[] = {
	"clock_adjtime", "clock_adjtime64", "clock_settime", "clock_settime64", "settimeofday",
	"stime", NULL,
};
static const char *const sys_tty_config[] = { "vhangup", NULL };
static const char *const sys_nice[] = {
	"get_mempolicy", "mbind", "migrate_pages", "move_pages", "set_mempolicy",
	"set_mempolicy_home_node", NULL,
};
static const char *const syslog_[] = { "syslog", NULL };
static const char *const bpf[] = { "bpf", NULL };
static const char *const perfmon[] = { "perf_event_open", NULL };
static const char *const dac_read_search[] = { "open_by_handle_at", NULL };

const struct seccomp_capability_syscalls seccomp_capability_syscalls[] = {
	{ CAP_SYS_ADMIN, sys_admin },
	{ CAP_SYS_BOOT, sys_boot },
	{ CAP_SYS_CHROOT, sys_chroot },
	{ CAP_SYS_MODULE, sys_module },
	{ CAP_SYS_PACCT, sys_pacct },
	{ CAP_SYS_PTRACE, sys_ptrace },
	{ CAP_SYS_RAWIO, sys_rawio },
	{ CAP_SYS_TIME, sys_time },
	{ CAP_SYS_TTY_CONFIG, sys_tty_config },
	{ CAP_SYS_NICE, sys_nice },
	{ CAP_SYSLOG, syslog_ },
	{ CAP_BPF, bpf },
	{ CAP_PERFMON, perfmon },
	{ CAP_DAC_READ_SEARCH, dac_read_search },
	{ -1, NULL },
};
