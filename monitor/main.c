/* tether-monitor STATE_FOLDER: the parent of one container. Reads STATE_FOLDER/config.json,
 * waits until the agent that spawned it made the container's cgroup, starts the container
 * with clone3 directly in its namespaces and cgroup, writes its host pid to STATE_FOLDER/pid,
 * holds its stdout and stderr and writes them with the log driver, forwards SIGTERM/SIGINT to
 * it, waits for it, drains its output, records how it ended in STATE_FOLDER/exit.json and
 * removes its cgroup. Single-threaded (one poll loop over the output pipes and a signalfd);
 * runs in its own session so it outlives the agent. */
#include <errno.h>
#include <fcntl.h>
#include <linux/sched.h>
#include <poll.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/signalfd.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "cgroups/cgroup.h"
#include "common/cleanup.h"
#include "common/clock.h"
#include "common/fileio.h"
#include "common/log.h"
#include "container/exit_record.h"
#include "container/monitor_lock.h"
#include "container/state_folder.h"
#include "monitor/container_setup.h"
#include "monitor/devices.h"
#include "monitor/etc_files.h"
#include "monitor/health_check.h"
#include "monitor/log_forward.h"
#include "monitor/mounts.h"
#include "monitor/seccomp_filter.h"

struct monitor {
	const char *folder;
	int lock_fd;          /* monitor.lock, held while we live: how an agent knows we do */
	char *cmdline;        /* argv[0] to the end of argv[1], contiguous as the kernel lays it */
	size_t cmdline_size;
	struct container_config *cfg;
	char *rootfs, *upper, *work, *pid_file, *exit_file;
	struct log_forward logs;
	bool logs_open;
	/* Until the clone; the container's own kept while it runs when it has a healthCheck. */
	struct seccomp_program seccomp, init_seccomp;
	struct health_checker health;
};

static int path_in(char **ret, const char *folder, const char *name)
{
	return asprintf(ret, "%s/%s", folder, name) < 0 ? -ENOMEM : 0;
}

static int monitor_load(struct monitor *m, struct error *err)
{
	_cleanup_free_ char *config = NULL, *text = NULL;
	if (path_in(&config, m->folder, CONTAINER_CONFIG_FILE) < 0 ||
	    path_in(&m->rootfs, m->folder, CONTAINER_ROOTFS_DIR) < 0 ||
	    path_in(&m->upper, m->folder, CONTAINER_UPPER_DIR) < 0 ||
	    path_in(&m->work, m->folder, CONTAINER_WORK_DIR) < 0 ||
	    path_in(&m->pid_file, m->folder, CONTAINER_PID_FILE) < 0 ||
	    path_in(&m->exit_file, m->folder, CONTAINER_EXIT_FILE) < 0)
		return error_set(err, ENOMEM, "monitor paths");
	int r = read_file_full(config, 1024 * 1024, &text, NULL);
	if (r < 0)
		return error_set_errno(err, r, "read %s", config);
	r = container_config_from_json(text, &m->cfg, err);
	if (r < 0)
		return error_wrap(err, "%s", config);
	const char *dirs[] = { m->rootfs, m->upper, m->work };
	for (size_t i = 0; i < ELEMENTSOF(dirs); i++)
		if (mkdir(dirs[i], 0755) < 0 && errno != EEXIST)
			return error_set_errno(err, errno, "create %s", dirs[i]);
	return 0;
}

/* The container's own /etc/hosts, /etc/hostname and /etc/resolv.conf, written into its state
 * folder and bound over the image's (rootfs.c), as Docker does. Made again at every start, so
 * not fsynced (three fsyncs were a tenth of the monitor's time). */
static int write_name_files(struct monitor *m, struct error *err)
{
	const struct container_storage *st = &m->cfg->storage;
	_cleanup_free_ char *host_resolv = NULL, *hosts = NULL, *hostname = NULL, *resolv = NULL;
	int r = read_file_full("/etc/resolv.conf", 64 * 1024, &host_resolv, NULL);
	if (r < 0 && r != -ENOENT)
		return error_set_errno(err, r, "read the host's /etc/resolv.conf");
	if (etc_hosts_text(m->cfg->hostname, st->extra_hosts, &hosts) < 0 ||
	    etc_hostname_text(m->cfg->hostname, &hostname) < 0 ||
	    etc_resolv_conf_text(host_resolv, st->dns_servers, st->dns_search, &resolv) < 0)
		return error_set(err, ENOMEM, "name files");
	const char *files[][2] = {
		{ CONTAINER_HOSTS_FILE, hosts },
		{ CONTAINER_HOSTNAME_FILE, hostname },
		{ CONTAINER_RESOLV_FILE, resolv },
	};
	for (size_t i = 0; i < ELEMENTSOF(files); i++) {
		_cleanup_free_ char *path = NULL;
		if (path_in(&path, m->folder, files[i][0]) < 0)
			return error_set(err, ENOMEM, "name files");
		r = write_file_replace(path, files[i][1], strlen(files[i][1]), 0644);
		if (r < 0)
			return error_set_errno(err, r, "write %s", path);
	}
	return 0;
}

static void monitor_free(struct monitor *m)
{
	if (m->logs_open)
		log_forward_close(&m->logs);
	container_config_free(m->cfg);
	free(m->rootfs);
	free(m->upper);
	free(m->work);
	free(m->pid_file);
	free(m->exit_file);
	seccomp_program_free(&m->seccomp);
	seccomp_program_free(&m->init_seccomp);
}

/* The seccomp programs, made here before the clone: the container's process cannot see the
 * node's cache of compiled filters after pivot_root, and one build serves every later
 * container with the same capabilities. A cache that fails costs time, never the start. */
static int prepare_seccomp(struct monitor *m, struct error *err)
{
	_cleanup_free_ char *cache_dir = seccomp_cache_dir_of(m->folder);
	const struct container_security *sec = &m->cfg->security;
	struct error cache_err = { 0 };
	bool cached;
	int r = seccomp_filter_get(sec->capabilities, cache_dir, &m->seccomp, &cached, &cache_err,
				   err);
	if (r >= 0 && sec->init)
		r = seccomp_filter_get(0, cache_dir, &m->init_seccomp, &cached, &cache_err, err);
	if (cache_err.code)
		log_warning("%s: the seccomp filter was built again", cache_err.message);
	return r;
}

/* clone3 with CLONE_INTO_CGROUP: the container is born in its cgroup, so no process of it
 * ever runs outside its limits. Returns the child's pid in the parent, 0 in the child. */
static pid_t clone_container(int cgroup_fd, bool network_none)
{
	struct clone_args args = {
		.flags = CLONE_NEWPID | CLONE_NEWNS | CLONE_NEWUTS | CLONE_NEWIPC | CLONE_INTO_CGROUP |
			 (network_none ? CLONE_NEWNET : 0),
		.exit_signal = SIGCHLD,
		.cgroup = (uint64_t)cgroup_fd,
	};
	return (pid_t)syscall(SYS_clone3, &args, sizeof(args));
}

/* Start the container; on success *ret_pid runs the container's command. A set-up or exec
 * failure is returned in err with the child already reaped. */
static int start_container(struct monitor *m, pid_t *ret_pid, struct error *err)
{
	_cleanup_close_ int cgroup_fd = -1, null_fd = -1;
	/* The agent created it (and set its limits); a restart of a recorded container may
	 * find it gone, and only then is it created (which writes every parent's
	 * subtree_control again: a dozen system calls a start does not need otherwise). */
	int r = cgroup_open(m->cfg->cgroup, &cgroup_fd, err);
	if (r == -ENOENT) {
		error_clear(err);
		r = cgroup_create(m->cfg->cgroup, err);
		if (r >= 0)
			r = cgroup_open(m->cfg->cgroup, &cgroup_fd, err);
	}
	/* Before the seccomp filter is built: without a device filter MKNOD leaves the set. */
	if (r >= 0)
		r = devices_restrict_cgroup(cgroup_fd, m->cfg, err);
	if (r >= 0)
		r = write_name_files(m, err);
	if (r >= 0)
		r = prepare_seccomp(m, err);
	if (r < 0)
		return r;
	null_fd = open("/dev/null", O_RDONLY | O_CLOEXEC);
	if (null_fd < 0)
		return error_set_errno(err, errno, "open /dev/null");
	if (!m->cfg->inherit_output) {
		r = log_forward_open(&m->logs, &m->cfg->log, m->folder, err);
		if (r < 0)
			return r;
		m->logs_open = true;
	}
	int pipefd[2];
	if (pipe2(pipefd, O_CLOEXEC) < 0)
		return error_set_errno(err, errno, "pipe");
	_cleanup_close_ int err_read = pipefd[0], err_write = pipefd[1];
	pid_t pid = clone_container(cgroup_fd, m->cfg->security.network_none);
	if (pid < 0)
		return error_set_errno(err, errno, "clone3 into cgroup %s", m->cfg->cgroup);
	if (pid == 0) {
		close(err_read);
		close(m->lock_fd); /* the lock must end with the monitor, not with the container */
		struct container_setup s = {
			.cfg = m->cfg, .folder = m->folder, .rootfs = m->rootfs, .upper = m->upper, .work = m->work,
			.error_fd = err_write, .stdin_fd = null_fd,
			.stdout_fd = m->logs_open ? m->logs.write_fd[0] : -1,
			.stderr_fd = m->logs_open ? m->logs.write_fd[1] : -1,
			.cmdline = m->cmdline, .cmdline_size = m->cmdline_size,
			.seccomp = m->seccomp, .init_seccomp = m->init_seccomp,
		};
		container_setup_and_exec(&s);
	}
	close(TAKE_FD(err_write));
	if (!m->cfg->health_check.argv)
		seccomp_program_free(&m->seccomp);
	seccomp_program_free(&m->init_seccomp);
	if (m->logs_open)
		log_forward_close_write_ends(&m->logs);
	char msg[1024];
	ssize_t n;
	do
		n = read(err_read, msg, sizeof(msg) - 1);
	while (n < 0 && errno == EINTR);
	if (n == 0) {
		*ret_pid = pid;
		return 0;
	}
	int status;
	while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;
	if (n < 0)
		return error_set_errno(err, errno, "read the set-up status");
	msg[n] = '\0';
	return error_set(err, EINVAL, "%s", msg);
}

/* Forward SIGTERM/SIGINT to the container and write its output until it ends; returns its
 * wait status. A container still running stop_timeout seconds after the first forwarded
 * signal is killed through its cgroup, so a stop completes even when the agent is gone. */
static int wait_container(pid_t pid, struct monitor *m, int signal_fd)
{
	int64_t kill_at = -1;
	for (;;) {
		struct pollfd pfd[3 + HEALTH_CHECK_POLL_FDS] = { { .fd = signal_fd, .events = POLLIN } };
		if (m->logs_open)
			log_forward_poll_fds(&m->logs, pfd + 1);
		else
			pfd[1].fd = pfd[2].fd = -1;
		health_checker_poll_fds(&m->health, pfd + 3);
		int timeout = health_checker_timeout_ms(&m->health);
		if (kill_at >= 0 && kill_at != INT64_MAX) {
			int64_t left = kill_at - monotonic_ms();
			int kill_timeout = left < 0 ? 0 : left > INT32_MAX ? INT32_MAX : (int)left;
			if (timeout < 0 || kill_timeout < timeout)
				timeout = kill_timeout;
		}
		int n = poll(pfd, ELEMENTSOF(pfd), timeout);
		if (n < 0 && errno != EINTR)
			return 0;
		if (kill_at >= 0 && kill_at != INT64_MAX && monotonic_ms() >= kill_at) {
			(void)cgroup_kill(m->cfg->cgroup, NULL);
			kill_at = INT64_MAX;
			continue;
		}
		health_checker_step(&m->health);
		if (m->logs_open && ((pfd[1].revents | pfd[2].revents) & (POLLIN | POLLHUP)))
			log_forward_read(&m->logs);
		struct signalfd_siginfo si;
		while (read(signal_fd, &si, sizeof(si)) == (ssize_t)sizeof(si)) {
			int sig = (int)si.ssi_signo;
			if (sig == SIGTERM || sig == SIGINT) {
				kill(pid, sig);
				if (kill_at < 0)
					kill_at = monotonic_ms() + (int64_t)m->cfg->stop_timeout * 1000;
			}
		}
		int status;
		pid_t r = waitpid(pid, &status, WNOHANG);
		if (r == pid)
			return status;
		if (r < 0 && errno == ECHILD)
			return 0;
	}
}

/* After the container's pid 1 ends the kernel kills the rest of its pid namespace; wait for
 * the cgroup to empty (killing what is left after a while), then remove it. */
static void remove_cgroup(const char *cgroup)
{
	struct error err = { 0 };
	for (int i = 0; i < 300; i++) {
		bool populated = false;
		if (cgroup_is_populated(cgroup, &populated, &err) < 0 || !populated)
			break;
		if (i == 100)
			(void)cgroup_kill(cgroup, &err);
		nanosleep(&(struct timespec){ .tv_nsec = 10 * 1000 * 1000 }, NULL);
	}
	if (cgroup_remove(cgroup, &err) < 0)
		log_warning("%s", err.message);
}

/* Spawned by the agent, the monitor waits until the agent made its container's cgroup (the
 * systemd driver first starts a scope with the monitor in it). End of file means the agent
 * gave up or ended first: no container starts then. A monitor started by hand has no such
 * pipe and goes on. */
static int wait_for_cgroup(bool spawned, struct error *err)
{
	struct stat st;
	if (!spawned || fstat(MONITOR_START_FD, &st) < 0 || !S_ISFIFO(st.st_mode))
		return 0;
	char byte;
	ssize_t n;
	do
		n = read(MONITOR_START_FD, &byte, 1);
	while (n < 0 && errno == EINTR);
	int saved = errno;
	close(MONITOR_START_FD);
	if (n == 1)
		return 0;
	if (n == 0)
		return error_set(err, ECANCELED, "the agent ended before the container's cgroup "
				 "was made");
	return error_set_errno(err, saved, "wait for the container's cgroup");
}

/* The agent ended before it let the container start: nothing ran. The folder is left as if no
 * monitor had come (no pid, no lock file, no record), so that the agent started again starts
 * the container, once; a record here would say the container failed to start, and its task
 * would fail without having run. The lock file goes last, while still held: an agent that
 * looks before sees a live monitor, one that looks after sees a container never started. */
static int give_up_start(struct monitor *m)
{
	remove_cgroup(m->cfg->cgroup);
	_cleanup_free_ char *pid_file = NULL, *lock_file = NULL;
	if (path_in(&pid_file, m->folder, CONTAINER_MONITOR_PID_FILE) < 0 ||
	    path_in(&lock_file, m->folder, CONTAINER_MONITOR_LOCK) < 0)
		return 1;
	if ((unlink(pid_file) < 0 && errno != ENOENT) || (unlink(lock_file) < 0 && errno != ENOENT)) {
		log_error("%s: %m", m->folder);
		return 1;
	}
	return 0;
}

/* Not fsynced: a pid means nothing after the reboot that could lose it. */
static int write_pid(const char *path, pid_t pid, struct error *err)
{
	char text[32];
	int n = snprintf(text, sizeof(text), "%d\n", (int)pid);
	int r = write_file_replace(path, text, (size_t)n, 0644);
	if (r < 0)
		return error_set_errno(err, r, "write %s", path);
	return 0;
}

static int run(struct monitor *m)
{
	struct error err = { 0 };
	bool spawned = monitor_lock_is_fd(m->folder, MONITOR_LOCK_FD);
	if (monitor_lock_keep(m->folder, &m->lock_fd, &err) < 0 || monitor_load(m, &err) < 0) {
		log_error("%s", err.message);
		return 1;
	}
	sigset_t set;
	sigemptyset(&set);
	sigaddset(&set, SIGCHLD);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGINT);
	sigprocmask(SIG_BLOCK, &set, NULL);
	_cleanup_close_ int signal_fd = signalfd(-1, &set, SFD_CLOEXEC | SFD_NONBLOCK);
	if (signal_fd < 0) {
		log_error("signalfd: %m");
		return 1;
	}

	uint64_t oom_before = 0;
	bool oom_known = false;
	struct exit_record rec = { 0 };
	pid_t pid = 0;
	int r = wait_for_cgroup(spawned, &err);
	if (r == -ECANCELED)
		return give_up_start(m);
	if (r >= 0) {
		oom_known = cgroup_oom_kills(m->cfg->cgroup, &oom_before, NULL) == 0;
		r = start_container(m, &pid, &err);
	}
	if (r < 0) {
		/* Not logged: the record carries it to the agent, which reports it once. */
		rec.exit_code = 127;
		rec.error = err.message;
	} else if (write_pid(m->pid_file, pid, &err) < 0) {
		log_error("%s", err.message);
	} else if (health_checker_start(&m->health, m->cfg, m->folder, pid, &m->seccomp,
					m->lock_fd, &err) < 0) {
		/* The container runs on; its health stays UNKNOWN. */
		log_error("%s", err.message);
	}
	if (pid > 0) {
		int status = wait_container(pid, m, signal_fd);
		if (WIFSIGNALED(status)) {
			rec.signal = WTERMSIG(status);
			rec.exit_code = 128 + rec.signal;
		} else {
			rec.exit_code = WEXITSTATUS(status);
		}
	}
	/* Before the container's cgroup goes: the check's cgroup is below it. */
	health_checker_stop(&m->health);
	uint64_t oom_after = 0;
	/* Kills of health checks are counted there too, and are not the container's. */
	if (oom_known && cgroup_oom_kills(m->cfg->cgroup, &oom_after, NULL) == 0)
		rec.oom = oom_after > oom_before + m->health.oom_kills;
	/* The kernel killed the rest of the container with its pid 1: the pipes reach their end
	 * as soon as those processes are gone. Every line is written before the exit is. */
	if (m->logs_open) {
		log_forward_drain(&m->logs, 5000);
		log_forward_close(&m->logs);
		m->logs_open = false;
	}
	remove_cgroup(m->cfg->cgroup);
	struct error werr = { 0 };
	if (exit_record_write(m->exit_file, &rec, &werr) < 0) {
		log_error("%s", werr.message);
		return 1;
	}
	return 0;
}

int main(int argc, char **argv)
{
	log_set_program("tether-monitor");
	if (argc != 2 || argv[1][0] != '/') {
		fprintf(stderr, "Usage: tether-monitor /ABSOLUTE/STATE_FOLDER\n");
		return 2;
	}
	/* The agent that started us may go away: its terminal hanging up or its pipes closing
	 * must not end the container's supervisor. */
	signal(SIGHUP, SIG_IGN);
	signal(SIGPIPE, SIG_IGN);
	struct monitor m = {
		.folder = argv[1], .lock_fd = -1, .cmdline = argv[0],
		.cmdline_size = (size_t)(argv[1] + strlen(argv[1]) + 1 - argv[0]),
	};
	int r = run(&m);
	monitor_free(&m);
	return r;
}
