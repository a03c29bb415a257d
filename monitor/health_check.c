#include <errno.h>
#include <fcntl.h>
#include <linux/sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "cgroups/cgroup.h"
#include "cgroups/cgroupfs.h"
#include "common/cleanup.h"
#include "common/clock.h"
#include "common/log.h"
#include "container/health_record.h"
#include "container/state_folder.h"
#include "monitor/container_setup.h"
#include "monitor/health_check.h"
#include "monitor/setup_die.h"

#ifndef P_PIDFD
#define P_PIDFD 3
#endif

/* Retry period for removing the check's cgroup while its killed processes go away. */
#define CGROUP_RETRY_MS 10

static bool enabled(const struct health_checker *hc)
{
	return hc->cfg && hc->cfg->health_check.argv;
}

static int64_t realtime_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void write_record(struct health_checker *hc, char *output)
{
	struct health_record rec = {
		.status = hc->state.status, .failures = hc->state.failures, .checks = hc->checks,
		.checked_at_ms = realtime_ms(), .output = output,
	};
	struct error err = { 0 };
	if (health_record_write(hc->record_path, &rec, &err) < 0)
		log_warning("%s", err.message);
}

/* Kill whatever the check left and remove its cgroup; until it is gone no check starts. */
static void release_cgroup(struct health_checker *hc, bool kill_first)
{
	_cleanup_free_ char *mount = NULL;
	struct error err = { 0 };
	if (cgroup_mount_point(&mount, &err) < 0) {
		log_warning("%s", err.message);
		return;
	}
	if (kill_first && cgroupfs_kill(mount, hc->cgroup, &err) < 0 && err.code != ENOENT)
		log_warning("health check: %s", err.message);
	error_clear(&err);
	hc->cgroup_left = cgroupfs_remove(mount, hc->cgroup, &err) < 0;
	if (hc->cgroup_left && err.code != EBUSY)
		log_warning("health check: %s", err.message);
}

int health_checker_start(struct health_checker *hc, const struct container_config *cfg,
			 const char *folder, pid_t container_pid,
			 const struct seccomp_program *seccomp, int keep_out_fd, struct error *err)
{
	*hc = (struct health_checker){ .pidfd = -1, .out_fd = -1, .container_pidfd = -1 };
	if (!cfg->health_check.argv)
		return 0;
	hc->cfg = cfg;
	hc->seccomp = seccomp;
	hc->keep_out_fd = keep_out_fd;
	if (asprintf(&hc->record_path, "%s/%s", folder, CONTAINER_HEALTH_FILE) < 0 ||
	    asprintf(&hc->cgroup, "%s/%s", cfg->cgroup, HEALTH_CHECK_CGROUP) < 0)
		return error_set(err, ENOMEM, "health check");
	hc->container_pidfd = (int)syscall(SYS_pidfd_open, container_pid, 0);
	if (hc->container_pidfd < 0)
		return error_set_errno(err, errno, "health check: pidfd of the container");
	hc->started_ms = monotonic_ms();
	hc->next_ms = hc->started_ms + (int64_t)cfg->health_check.interval * 1000;
	release_cgroup(hc, true); /* one left by a monitor that died */
	write_record(hc, NULL);
	return 0;
}

/* In the check's first process: join the container, fork into its pid namespace, become
 * what the container's command is, exec the check. Errors go to the check's output. */
static _Noreturn void check_child(const struct health_checker *hc, int null_fd, int out_fd)
{
	setup_die_to(out_fd);
	if (hc->keep_out_fd >= 0)
		close(hc->keep_out_fd);
	for (int sig = 1; sig < NSIG; sig++)
		signal(sig, SIG_DFL);
	sigset_t none;
	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL);
	if (dup2(null_fd, 0) < 0 || dup2(out_fd, 1) < 0 || dup2(out_fd, 2) < 0)
		setup_die("health check: stdio: %s", strerror(errno));
	if (syscall(SYS_setns, hc->container_pidfd, CLONE_NEWNS | CLONE_NEWUTS | CLONE_NEWIPC | CLONE_NEWNET |
					       CLONE_NEWPID | CLONE_NEWCGROUP) < 0)
		setup_die("health check: join the container's namespaces: %s", strerror(errno));
	pid_t pid = fork();
	if (pid < 0)
		setup_die("health check: fork in the container: %s", strerror(errno));
	if (pid == 0) {
		container_setup_identity(hc->cfg);
		container_finish_and_exec(hc->cfg, hc->seccomp, hc->cfg->health_check.argv);
	}
	int status;
	while (waitpid(pid, &status, 0) < 0)
		if (errno != EINTR)
			_exit(127);
	_exit(WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status));
}

static int spawn_check(struct health_checker *hc, struct error *err)
{
	_cleanup_free_ char *mount = NULL;
	_cleanup_close_ int cgroup_fd = -1, null_fd = -1;
	int r = cgroup_mount_point(&mount, err);
	if (r < 0)
		return r;
	r = cgroupfs_create_leaf(mount, hc->cgroup, &cgroup_fd, err);
	if (r < 0)
		return r;
	null_fd = open("/dev/null", O_RDONLY | O_CLOEXEC);
	int out[2];
	if (null_fd < 0 || pipe2(out, O_CLOEXEC | O_NONBLOCK) < 0)
		return error_set_errno(err, errno, "health check: pipe");
	int pidfd = -1;
	struct clone_args args = {
		.flags = CLONE_INTO_CGROUP | CLONE_PIDFD,
		.pidfd = (uint64_t)(uintptr_t)&pidfd,
		.exit_signal = SIGCHLD,
		.cgroup = (uint64_t)cgroup_fd,
	};
	pid_t pid = (pid_t)syscall(SYS_clone3, &args, sizeof(args));
	if (pid == 0) {
		close(out[0]);
		/* The write end is blocking for the check, as any pipe a program gets. */
		fcntl(out[1], F_SETFL, 0);
		check_child(hc, null_fd, out[1]);
	}
	close(out[1]);
	if (pid < 0) {
		close(out[0]);
		return error_set_errno(err, errno, "health check: clone3 into %s", hc->cgroup);
	}
	hc->oom_known = cgroup_oom_kills(hc->cfg->cgroup, &hc->oom_at_start, NULL) == 0;
	hc->pidfd = pidfd;
	hc->out_fd = out[0];
	hc->out_len = 0;
	hc->timed_out = false;
	hc->check_started_ms = monotonic_ms();
	hc->deadline_ms = hc->check_started_ms + (int64_t)hc->cfg->health_check.timeout * 1000;
	hc->cgroup_left = true;
	return 0;
}

/* Keep the last bytes of the output: they say why a check failed. */
static void read_output(struct health_checker *hc)
{
	while (hc->out_fd >= 0) {
		if (hc->out_len == sizeof(hc->out)) {
			size_t keep = sizeof(hc->out) / 2;
			memmove(hc->out, hc->out + hc->out_len - keep, keep);
			hc->out_len = keep;
		}
		ssize_t n = read(hc->out_fd, hc->out + hc->out_len, sizeof(hc->out) - hc->out_len);
		if (n > 0) {
			hc->out_len += (size_t)n;
			continue;
		}
		if (n < 0 && errno == EINTR)
			continue;
		if (n == 0 || errno != EAGAIN) {
			close(hc->out_fd);
			hc->out_fd = -1;
		}
		return;
	}
}

static void append_output(struct health_checker *hc, const char *text)
{
	size_t n = strlen(text);
	if (n > sizeof(hc->out))
		return;
	if (hc->out_len + n > sizeof(hc->out)) {
		size_t drop = hc->out_len + n - sizeof(hc->out);
		memmove(hc->out, hc->out + drop, hc->out_len - drop);
		hc->out_len -= drop;
	}
	memcpy(hc->out + hc->out_len, text, n);
	hc->out_len += n;
}

static void decide(struct health_checker *hc, bool passed)
{
	bool in_start_period = hc->check_started_ms - hc->started_ms <
			       (int64_t)hc->cfg->health_check.start_period * 1000;
	health_decide(&hc->state, hc->cfg->health_check.retries, in_start_period, passed);
	hc->checks++;
	_cleanup_free_ char *output = passed ? NULL : health_output_clean(hc->out, hc->out_len);
	write_record(hc, output);
	hc->next_ms = monotonic_ms() + (int64_t)hc->cfg->health_check.interval * 1000;
}

/* The check's first process ended (STATUS as waitid gave it). Whatever it left running is
 * killed with its cgroup, before the output is read: the pipe then ends. */
static void end_check(struct health_checker *hc, const siginfo_t *info)
{
	read_output(hc);
	if (hc->out_fd >= 0)
		close(hc->out_fd);
	hc->out_fd = -1;
	close(hc->pidfd);
	hc->pidfd = -1;
	release_cgroup(hc, true);
	bool passed = !hc->timed_out && info->si_code == CLD_EXITED && info->si_status == 0;
	uint64_t oom_now;
	bool killed = info->si_code == CLD_KILLED ||
		      (info->si_code == CLD_EXITED && info->si_status == 128 + SIGKILL);
	if (killed && !hc->timed_out && hc->oom_known &&
	    cgroup_oom_kills(hc->cfg->cgroup, &oom_now, NULL) == 0 && oom_now > hc->oom_at_start) {
		/* The check is in a cgroup below the container's: the container's limit held it. */
		hc->oom_kills += oom_now - hc->oom_at_start;
		append_output(hc, "\nhealth check killed: out of memory (the container's limit)\n");
	}
	if (hc->timed_out) {
		char note[96];
		snprintf(note, sizeof(note), "\nhealth check killed: it ran past its timeout (%u s)\n",
			 hc->cfg->health_check.timeout);
		append_output(hc, note);
	}
	decide(hc, passed);
}

void health_checker_poll_fds(const struct health_checker *hc, struct pollfd pfd[])
{
	pfd[0] = (struct pollfd){ .fd = hc->pidfd, .events = POLLIN };
	pfd[1] = (struct pollfd){ .fd = hc->out_fd, .events = POLLIN };
}

int health_checker_timeout_ms(const struct health_checker *hc)
{
	if (!enabled(hc))
		return -1;
	int64_t at;
	if (hc->pidfd >= 0)
		at = hc->timed_out ? INT64_MAX : hc->deadline_ms;
	else if (hc->cgroup_left)
		at = monotonic_ms() + CGROUP_RETRY_MS;
	else
		at = hc->next_ms;
	if (at == INT64_MAX)
		return -1;
	int64_t left = at - monotonic_ms();
	return left < 0 ? 0 : left > INT32_MAX ? INT32_MAX : (int)left;
}

void health_checker_step(struct health_checker *hc)
{
	if (!enabled(hc))
		return;
	if (hc->pidfd >= 0) {
		read_output(hc);
		siginfo_t info = { 0 };
		if (waitid((idtype_t)P_PIDFD, (id_t)hc->pidfd, &info, WEXITED | WNOHANG) == 0 &&
		    info.si_pid != 0) {
			end_check(hc, &info);
		} else if (!hc->timed_out && monotonic_ms() >= hc->deadline_ms) {
			hc->timed_out = true;
			release_cgroup(hc, true);
		}
		return;
	}
	if (hc->cgroup_left)
		release_cgroup(hc, false);
	if (hc->cgroup_left || monotonic_ms() < hc->next_ms)
		return;
	struct error err = { 0 };
	if (spawn_check(hc, &err) < 0) {
		/* A check that cannot start is a failed check, with the reason as its output. */
		hc->check_started_ms = monotonic_ms();
		hc->out_len = 0;
		append_output(hc, err.message);
		decide(hc, false);
	}
}

void health_checker_stop(struct health_checker *hc)
{
	if (!enabled(hc))
		return;
	if (hc->pidfd >= 0) {
		release_cgroup(hc, true);
		siginfo_t info;
		while (waitid((idtype_t)P_PIDFD, (id_t)hc->pidfd, &info, WEXITED) < 0 &&
		       errno == EINTR)
			;
		close(hc->pidfd);
		hc->pidfd = -1;
	}
	if (hc->out_fd >= 0)
		close(hc->out_fd);
	hc->out_fd = -1;
	for (int i = 0; i < 300 && hc->cgroup_left; i++) {
		nanosleep(&(struct timespec){ .tv_nsec = CGROUP_RETRY_MS * 1000 * 1000 }, NULL);
		release_cgroup(hc, i % 50 == 49);
	}
	if (hc->container_pidfd >= 0)
		close(hc->container_pidfd);
	hc->container_pidfd = -1;
	free(hc->record_path);
	free(hc->cgroup);
	hc->record_path = hc->cgroup = NULL;
	hc->cfg = NULL;
}
