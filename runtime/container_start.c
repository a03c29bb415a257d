/* Spawning tether-monitor for one container. */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "common/cleanup.h"
#include "common/crash_point.h"
#include "common/fileio.h"
#include "common/parse.h"
#include "container/monitor_lock.h"
#include "container/state_folder.h"
#include "runtime/container_start.h"

extern char **environ;

static int folder_file(char **ret, const char *folder, const char *file)
{
	return asprintf(ret, "%s/%s", folder, file) < 0 ? -ENOMEM : 0;
}

static int spawn_monitor(const char *monitor_path, const char *state_folder, bool inherit_output,
			 int lock_fd, int start_fd, pid_t *ret_pid, struct error *err)
{
	_cleanup_free_ char *log = NULL;
	if (folder_file(&log, state_folder, CONTAINER_MONITOR_LOG) < 0)
		return error_set(err, ENOMEM, "monitor log");
	posix_spawn_file_actions_t fa;
	posix_spawnattr_t attr;
	posix_spawn_file_actions_init(&fa);
	posix_spawnattr_init(&attr);
	posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
	if (!inherit_output) {
		posix_spawn_file_actions_addopen(&fa, 1, log, O_WRONLY | O_CREAT | O_APPEND, 0640);
		posix_spawn_file_actions_adddup2(&fa, 1, 2);
	}
	/* The monitor keeps the lock for its life (runtime/monitor_lock.h); nothing else of the
	 * agent's (sockets, database, pipes) leaks into it. */
	posix_spawn_file_actions_adddup2(&fa, lock_fd, MONITOR_LOCK_FD);
	posix_spawn_file_actions_adddup2(&fa, start_fd, MONITOR_START_FD);
	posix_spawn_file_actions_addclosefrom_np(&fa, MONITOR_START_FD + 1);
	sigset_t none, all;
	sigemptyset(&none);
	sigfillset(&all);
	sigdelset(&all, SIGKILL);
	sigdelset(&all, SIGSTOP);
	posix_spawnattr_setsigmask(&attr, &none);
	posix_spawnattr_setsigdefault(&attr, &all);
	posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETSID | POSIX_SPAWN_SETSIGMASK |
					       POSIX_SPAWN_SETSIGDEF);
	char *argv[] = { (char *)"tether-monitor", (char *)state_folder, NULL };
	pid_t pid;
	int r = posix_spawn(&pid, monitor_path, &fa, &attr, argv, environ);
	posix_spawn_file_actions_destroy(&fa);
	posix_spawnattr_destroy(&attr);
	if (r != 0)
		return error_set_errno(err, r, "spawn %s", monitor_path);
	*ret_pid = pid;
	return 0;
}

static bool limits_set(const struct cgroup_limits *l)
{
	return l && (l->cpu_units || l->memory_max_bytes || l->memory_low_bytes || l->pids_max);
}

/* The pipe's read end, above the descriptors spawn_monitor dup2()s onto, so that no dup2
 * overwrites it before it is moved into place. */
static int start_pipe(int *ret_read, int *ret_write, struct error *err)
{
	int fds[2];
	if (pipe2(fds, O_CLOEXEC) < 0)
		return error_set_errno(err, errno, "pipe");
	int high = fcntl(fds[0], F_DUPFD_CLOEXEC, MONITOR_START_FD + 1);
	int saved = errno;
	close(fds[0]);
	if (high < 0) {
		close(fds[1]);
		return error_set_errno(err, saved, "pipe");
	}
	*ret_read = high;
	*ret_write = fds[1];
	return 0;
}

/* The monitor is spawned first and waits on MONITOR_START_FD: a driver may need its pid to
 * make the container's cgroup (systemd: the scope's first process). It goes on only once the
 * cgroup and its limits are in place; on failure it is killed before it did anything. */
static int spawn_held_monitor(const char *monitor_path, const char *state_folder,
			      const struct container_config *cfg,
			      const struct cgroup_limits *limits, int lock_fd, pid_t *ret_pid,
			      struct error *err)
{
	_cleanup_close_ int start_read = -1, start_write = -1;
	int r = start_pipe(&start_read, &start_write, err);
	if (r < 0)
		return r;
	pid_t pid;
	r = spawn_monitor(monitor_path, state_folder, cfg->inherit_output, lock_fd, start_read,
			  &pid, err);
	if (r < 0)
		return r;
	crash_point("monitor-spawned");
	r = cgroup_create_for_monitor(cfg->cgroup, pid, err);
	if (r >= 0 && limits_set(limits))
		r = cgroup_set_limits(cfg->cgroup, limits, err);
	if (r >= 0 && write(start_write, "1", 1) != 1)
		r = error_set_errno(err, errno, "tell the monitor of %s to start", state_folder);
	if (r < 0) {
		(void)kill(pid, SIGKILL);
		while (waitpid(pid, NULL, 0) < 0 && errno == EINTR)
			;
		return r;
	}
	crash_point("monitor-released");
	*ret_pid = pid;
	return 0;
}

int container_start(const char *monitor_path, const char *state_folder,
		    const struct container_config *cfg, const struct cgroup_limits *limits,
		    pid_t *ret_monitor_pid, struct error *err)
{
	int r = mkdir_parents(state_folder, 0700);
	if (r < 0)
		return error_set_errno(err, r, "create %s", state_folder);
	_cleanup_close_ int lock_fd = -1;
	r = monitor_lock_take(state_folder, &lock_fd, err);
	if (r < 0)
		return r;
	/* A folder reused from an earlier run (a restart, an agent that started it before) must
	 * not leave a stale pid, exit record or health. The writable layer and the logs stay. */
	static const char *const stale[] = { CONTAINER_PID_FILE, CONTAINER_EXIT_FILE,
					     CONTAINER_MONITOR_PID_FILE, CONTAINER_HEALTH_FILE };
	for (size_t i = 0; i < ELEMENTSOF(stale); i++) {
		_cleanup_free_ char *p = NULL;
		if (folder_file(&p, state_folder, stale[i]) < 0)
			return error_set(err, ENOMEM, "state folder");
		if (unlink(p) < 0 && errno != ENOENT)
			return error_set_errno(err, errno, "remove %s", p);
	}
	_cleanup_free_ char *text = NULL, *path = NULL;
	if (container_config_to_json(cfg, &text) < 0 ||
	    folder_file(&path, state_folder, CONTAINER_CONFIG_FILE) < 0)
		return error_set(err, ENOMEM, "container config");
	/* Not fsynced: it is written again at every start and read by the monitor at once; a
	 * power cut ends the container with its monitor. (An fsync here was a seventh of the
	 * agent's time per container on ext4.) */
	r = write_file_replace(path, text, strlen(text), 0600);
	if (r < 0)
		return error_set_errno(err, r, "write %s", path);
	crash_point("folder-locked");
	return spawn_held_monitor(monitor_path, state_folder, cfg, limits, lock_fd,
				  ret_monitor_pid, err);
}

static int read_pid_file(const char *state_folder, const char *file, pid_t *ret,
			 struct error *err)
{
	_cleanup_free_ char *path = NULL, *text = NULL;
	if (folder_file(&path, state_folder, file) < 0)
		return error_set(err, ENOMEM, "pid file");
	int r = read_file_full(path, 64, &text, NULL);
	if (r < 0)
		return error_set_errno(err, r, "read %s", path);
	text[strcspn(text, "\n")] = '\0';
	uint64_t pid;
	r = parse_u64(text, 1, INT32_MAX, &pid);
	if (r < 0)
		return error_set(err, EINVAL, "%s: not a pid", path);
	*ret = (pid_t)pid;
	return 0;
}

int container_read_pid(const char *state_folder, pid_t *ret, struct error *err)
{
	return read_pid_file(state_folder, CONTAINER_PID_FILE, ret, err);
}

int container_read_monitor_pid(const char *state_folder, pid_t *ret)
{
	return read_pid_file(state_folder, CONTAINER_MONITOR_PID_FILE, ret, NULL);
}
