#include <errno.h>
#include <signal.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include "monitor/init.h"
#include "monitor/privileges.h"
#include "monitor/rootfs.h"
#include "monitor/seccomp_filter.h"
#include "monitor/setup_die.h"

/* Signals the kernel raises for the receiver's own faults or terminal access are not
 * forwarded: they say nothing the command should hear. */
static const int not_forwarded[] = {
	SIGCHLD, SIGFPE, SIGILL, SIGSEGV, SIGBUS, SIGABRT, SIGTRAP, SIGSYS, SIGTTIN, SIGTTOU,
};

static int exit_status(int status)
{
	return WIFSIGNALED(status) ? 128 + WTERMSIG(status) : WEXITSTATUS(status);
}

static _Noreturn void init_loop(pid_t command, const sigset_t *forwarded)
{
	sigset_t waited = *forwarded;
	sigaddset(&waited, SIGCHLD);
	for (;;) {
		int sig = sigwaitinfo(&waited, NULL);
		if (sig < 0)
			continue;
		if (sig != SIGCHLD) {
			kill(command, sig);
			continue;
		}
		/* The command, or any orphan the kernel handed to pid 1: reap them all. */
		int status;
		pid_t pid;
		while ((pid = waitpid(-1, &status, WNOHANG)) > 0)
			if (pid == command)
				_exit(exit_status(status));
		if (pid < 0 && errno == ECHILD)
			_exit(0);
	}
}

static void set_name(char *cmdline, size_t size)
{
	static const char name[] = "tether-init";
	memset(cmdline, 0, size);
	memcpy(cmdline, name, size < sizeof(name) ? size - 1 : sizeof(name) - 1);
	(void)prctl(PR_SET_NAME, name, 0, 0, 0);
}

void init_start(int error_fd, char *cmdline, size_t cmdline_size,
		const struct seccomp_program *seccomp)
{
	sigset_t all, forwarded, none;
	sigfillset(&all);
	sigemptyset(&none);
	forwarded = all;
	for (size_t i = 0; i < sizeof(not_forwarded) / sizeof(not_forwarded[0]); i++)
		sigdelset(&forwarded, not_forwarded[i]);
	/* Blocked before the fork, so no signal for the command is lost before the loop
	 * waits; a blocked signal also reaches pid 1, which ignores those it has no handler for. */
	sigprocmask(SIG_SETMASK, &all, NULL);
	pid_t command = fork();
	if (command < 0)
		setup_die("init: fork: %s", strerror(errno));
	if (command == 0) {
		sigprocmask(SIG_SETMASK, &none, NULL);
		return;
	}
	/* The monitor's descriptors (its lock, the cgroup, the log) came along with the fork
	 * and no exec will close them: the init keeps only stdio and, until it is ready, the
	 * set-up error pipe. */
	if ((error_fd > 3 && close_range(3, (unsigned)error_fd - 1, 0) < 0) ||
	    close_range((unsigned)error_fd + 1, ~0U, 0) < 0)
		setup_die("init: close the monitor's descriptors: %s", strerror(errno));
	set_name(cmdline, cmdline_size);
	privileges_drop_all();
	seccomp_program_install(seccomp);
	close(error_fd);
	init_loop(command, &forwarded);
}
