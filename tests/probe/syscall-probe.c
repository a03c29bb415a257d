/* syscall-probe NAME...: makes each named system call with harmless arguments inside a
 * container and prints "NAME OK" or "NAME ERRNO" (EPERM, ENOSYS ...), one line each, so the
 * security tests see how the seccomp profile and the capabilities answer. Built static, so it
 * runs in any image. A call the filter killed would end the output early. */
#include <errno.h>
#include <linux/sched.h>
#include <sched.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/personality.h>
#include <sys/ptrace.h>
#include <sys/socket.h>
#include <sys/swap.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

/* A raw clone: the child exits at once, the parent reaps it. */
static long clone_flags(unsigned long flags)
{
	long pid = syscall(SYS_clone, flags | SIGCHLD, 0, NULL, NULL, 0);
	if (pid == 0)
		_exit(0);
	if (pid > 0)
		waitpid((pid_t)pid, NULL, 0);
	return pid;
}

static long clone3_plain(void)
{
	struct clone_args args = { .exit_signal = SIGCHLD };
	long pid = syscall(SYS_clone3, &args, sizeof(args));
	if (pid == 0)
		_exit(0);
	if (pid > 0)
		waitpid((pid_t)pid, NULL, 0);
	return pid;
}

static long probe(const char *name)
{
	if (!strcmp(name, "mount")) {
		long r = mount("none", "/tmp", "tmpfs", 0, NULL);
		if (r == 0)
			umount2("/tmp", MNT_DETACH);
		return r;
	}
	if (!strcmp(name, "umount2"))
		return umount2("/nonexistent-probe", 0);
	if (!strcmp(name, "unshare"))
		return unshare(CLONE_NEWUTS);
	if (!strcmp(name, "setns"))
		return setns(-1, 0);
	if (!strcmp(name, "kexec_load"))
		return syscall(SYS_kexec_load, 0UL, 0UL, NULL, 0UL);
	if (!strcmp(name, "init_module"))
		return syscall(SYS_init_module, NULL, 0UL, "");
	if (!strcmp(name, "reboot"))
		return syscall(SYS_reboot, 0, 0, 0, NULL); /* wrong magic: EINVAL when allowed */
	if (!strcmp(name, "swapon"))
		return swapon("/nonexistent-probe", 0);
	if (!strcmp(name, "bpf"))
		return syscall(SYS_bpf, -1, NULL, 0);
	if (!strcmp(name, "keyctl"))
		return syscall(SYS_keyctl, 0 /* KEYCTL_GET_KEYRING_ID */, -1, 0);
	if (!strcmp(name, "ptrace"))
		return ptrace(PTRACE_PEEKDATA, 0, NULL, NULL); /* no pid 0: ESRCH when allowed */
	if (!strcmp(name, "clone-newns"))
		return clone_flags(CLONE_NEWNS);
	if (!strcmp(name, "clone-newuser"))
		return clone_flags(CLONE_NEWUSER);
	if (!strcmp(name, "clone3"))
		return clone3_plain();
	if (!strcmp(name, "fork"))
		return clone_flags(0);
	if (!strcmp(name, "personality-linux"))
		return personality(PER_LINUX);
	if (!strcmp(name, "personality-norandom"))
		return personality(PER_LINUX | ADDR_NO_RANDOMIZE);
	if (!strcmp(name, "socket-inet")) {
		int fd = socket(AF_INET, SOCK_DGRAM, 0);
		if (fd >= 0)
			close(fd);
		return fd;
	}
	if (!strcmp(name, "socket-vsock")) {
		int fd = socket(AF_VSOCK, SOCK_STREAM, 0);
		if (fd >= 0)
			close(fd);
		return fd;
	}
	errno = EINVAL;
	fprintf(stderr, "syscall-probe: unknown probe %s\n", name);
	return -2;
}

int main(int argc, char **argv)
{
	for (int i = 1; i < argc; i++) {
		errno = 0;
		long r = probe(argv[i]);
		if (r == -2)
			return 2;
		if (r < 0)
			printf("%s %s\n", argv[i], strerrorname_np(errno));
		else
			printf("%s OK\n", argv[i]);
		fflush(stdout);
	}
	return 0;
}
