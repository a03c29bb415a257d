/* Set-up of the container's first process, top to bottom: fds and signals, loopback, the
 * root file system (rootfs.c), hostname, ulimits, capabilities, user, the init when asked
 * for, working directory, seccomp, exec. Any failure is reported to the
 * monitor and ends the process: nothing here outlives a failed start. */
#include <errno.h>
#include <grp.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common/fileio.h"
#include "monitor/container_setup.h"
#include "monitor/init.h"
#include "monitor/network.h"
#include "monitor/privileges.h"
#include "monitor/rootfs.h"
#include "monitor/seccomp_filter.h"
#include "monitor/setup_die.h"
#include "monitor/ulimits.h"
#include "monitor/user.h"

static void reset_signals(void)
{
	sigset_t none;
	sigemptyset(&none);
	/* Ignored dispositions survive execve: give the container clean ones. */
	for (int sig = 1; sig < NSIG; sig++)
		signal(sig, SIG_DFL);
	sigprocmask(SIG_SETMASK, &none, NULL);
}

static void setup_stdio(const struct container_setup *s)
{
	if (dup2(s->stdin_fd, 0) < 0)
		setup_die("stdin: %s", strerror(errno));
	if (s->stdout_fd >= 0 && dup2(s->stdout_fd, 1) < 0)
		setup_die("stdout: %s", strerror(errno));
	if (s->stderr_fd >= 0 && dup2(s->stderr_fd, 2) < 0)
		setup_die("stderr: %s", strerror(errno));
}

static void switch_user(const struct container_config *cfg)
{
	char *passwd = NULL, *group = NULL;
	(void)read_file_full("/etc/passwd", 4 * 1024 * 1024, &passwd, NULL);
	(void)read_file_full("/etc/group", 4 * 1024 * 1024, &group, NULL);
	struct user_ids ids;
	struct error err = { 0 };
	if (user_resolve(cfg->user, passwd, group, &ids, &err) < 0)
		setup_die("user: %s", err.message);
	free(passwd);
	free(group);
	if (setgroups(ids.n_groups, ids.groups) < 0)
		setup_die("setgroups: %s", strerror(errno));
	if (setgid(ids.gid) < 0)
		setup_die("setgid %u: %s", (unsigned)ids.gid, strerror(errno));
	if (setuid(ids.uid) < 0)
		setup_die("setuid %u: %s", (unsigned)ids.uid, strerror(errno));
}

static const char *env_get(char **env, const char *name)
{
	size_t n = strlen(name);
	for (char **p = env; *p; p++)
		if (!strncmp(*p, name, n) && (*p)[n] == '=')
			return *p + n + 1;
	return NULL;
}

/* execve, looking a bare name up in the container's own PATH (not the monitor's). */
static _Noreturn void exec_container(const struct container_config *cfg, char *const argv[])
{
	const char *file = argv[0];
	if (strchr(file, '/')) {
		execve(file, argv, cfg->env);
		setup_die("exec %s: %s", file, strerror(errno));
	}
	const char *path = env_get(cfg->env, "PATH");
	if (!path)
		path = CONTAINER_DEFAULT_PATH;
	int saved = ENOENT;
	for (const char *p = path;; ) {
		size_t n = strcspn(p, ":");
		char candidate[4096];
		if (snprintf(candidate, sizeof(candidate), "%.*s/%s", (int)n, n ? p : ".", file) <
		    (int)sizeof(candidate)) {
			execve(candidate, argv, cfg->env);
			if (errno != ENOENT && errno != ENOTDIR)
				saved = errno;
		}
		if (!p[n])
			break;
		p += n + 1;
	}
	if (saved != ENOENT)
		setup_die("exec %s: %s", file, strerror(saved));
	setup_die("exec %s: executable file not found in $PATH", file);
}

void container_setup_identity(const struct container_config *cfg)
{
	ulimits_apply(&cfg->security);
	privileges_limit_bounding_set(cfg->security.capabilities);
	switch_user(cfg);
}

_Noreturn void container_finish_and_exec(const struct container_config *cfg,
					 const struct seccomp_program *seccomp, char *const argv[])
{
	privileges_finish(cfg->security.capabilities);
	if (chdir(cfg->cwd) < 0)
		setup_die("chdir %s: %s", cfg->cwd, strerror(errno));
	seccomp_program_install(seccomp);
	exec_container(cfg, argv);
}

_Noreturn void container_setup_and_exec(const struct container_setup *s)
{
	setup_die_to(s->error_fd);
	reset_signals();
	setup_stdio(s);
	const struct container_security *sec = &s->cfg->security;
	if (sec->network_none)
		network_loopback_up();
	rootfs_setup(s);
	if (sethostname(s->cfg->hostname, strlen(s->cfg->hostname)) < 0)
		setup_die("sethostname %s: %s", s->cfg->hostname, strerror(errno));
	if (mkdir(s->cfg->cwd, 0755) < 0 && errno != EEXIST)
		setup_die("working directory %s: %s", s->cfg->cwd, strerror(errno));
	container_setup_identity(s->cfg);
	if (sec->init)
		init_start(s->error_fd, s->cmdline, s->cmdline_size, &s->init_seccomp); /* returns in the command's process */
	container_finish_and_exec(s->cfg, &s->seccomp, s->cfg->args);
}
