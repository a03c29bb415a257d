/* The i386 ABI of an x86_64 container (int $0x80): a few calls through it, printed as
 * "NAME OK" or "NAME ERRNO" like syscall-probe, to show the seccomp profile covers the compat
 * ABI with the same answers (EPERM, not a kill). Freestanding: no 32-bit C library needed. */
#define NR_exit 1
#define NR_write 4
#define NR_getpid 20
#define NR_mount 21
#define NR_socketcall 102
#define NR_kexec_load 283
#define NR_unshare 310
#define CLONE_NEWUTS 0x04000000

void _start(void) __attribute__((noreturn, force_align_arg_pointer));

static long sys(long nr, long a, long b, long c, long d, long e)
{
	long r;
	__asm__ volatile("int $0x80"
			 : "=a"(r)
			 : "a"(nr), "b"(a), "c"(b), "d"(c), "S"(d), "D"(e)
			 : "memory");
	return r;
}

static void say(const char *s)
{
	long n = 0;
	while (s[n])
		n++;
	sys(NR_write, 1, (long)s, n, 0, 0);
}

static void report(const char *name, long r)
{
	say(name);
	say(r >= 0 ? " OK\n" : r == -1 ? " EPERM\n" : r == -38 ? " ENOSYS\n" : " other\n");
}

void _start(void)
{
	static long socket_args[3] = { 2 /* AF_INET */, 2 /* SOCK_DGRAM */, 0 };
	report("i386-getpid", sys(NR_getpid, 0, 0, 0, 0, 0));
	report("i386-mount", sys(NR_mount, (long)"none", (long)"/tmp", (long)"tmpfs", 0, 0));
	report("i386-unshare", sys(NR_unshare, CLONE_NEWUTS, 0, 0, 0, 0));
	report("i386-kexec_load", sys(NR_kexec_load, 0, 0, 0, 0, 0));
	report("i386-socket", sys(NR_socketcall, 1 /* SYS_SOCKET */, (long)socket_args, 0, 0, 0));
	sys(NR_exit, 0, 0, 0, 0, 0);
	for (;;)
		;
}
