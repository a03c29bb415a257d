/* exec-timer: time commands from spawn to exit with the monotonic clock, interleaved, so that
 * a slow patch of the machine (others' load, a page-cache flush) hits every command alike.
 *
 *   exec-timer [-n RUNS] [-w WARMUP] [-t SECONDS] [-v] -- LABEL CMD [ARG...] [-- LABEL CMD...]...
 *
 * Round i runs each command once, in the order given. Warm-up rounds are run first and not
 * reported. With -t, no timed round starts after SECONDS (a loaded machine gives fewer runs
 * rather than no figures). Every timed run prints "LABEL<TAB>NANOSECONDS<TAB>STATUS" on stdout (STATUS is
 * the exit code, or 128+signal). The commands are spawned directly (no shell in between);
 * their output goes to /dev/null unless -v is given. */
#include <errno.h>
#include <fcntl.h>
#include <spawn.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "common/cleanup.h"
#include "common/parse.h"

extern char **environ;

struct timed_command {
	const char *label;
	char **argv;
};

static uint64_t now_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

/* Runs one command to its end; returns its status as a shell would show it, or -errno. */
static int run_once(const struct timed_command *c, int quiet_fd, uint64_t *ret_ns)
{
	posix_spawn_file_actions_t actions;
	posix_spawn_file_actions_init(&actions);
	if (quiet_fd >= 0) {
		posix_spawn_file_actions_adddup2(&actions, quiet_fd, STDIN_FILENO);
		posix_spawn_file_actions_adddup2(&actions, quiet_fd, STDOUT_FILENO);
		posix_spawn_file_actions_adddup2(&actions, quiet_fd, STDERR_FILENO);
	}
	pid_t pid;
	uint64_t start = now_ns();
	int r = posix_spawnp(&pid, c->argv[0], &actions, NULL, c->argv, environ);
	posix_spawn_file_actions_destroy(&actions);
	if (r != 0)
		return -r;
	int status;
	while (waitpid(pid, &status, 0) < 0)
		if (errno != EINTR)
			return -errno;
	*ret_ns = now_ns() - start;
	if (WIFSIGNALED(status))
		return 128 + WTERMSIG(status);
	return WEXITSTATUS(status);
}

static void usage(FILE *out)
{
	fputs("Usage: exec-timer [-n RUNS] [-w WARMUP] [-t SECONDS] [-v] -- LABEL CMD [ARG...] "
	      "[-- LABEL CMD [ARG...]]...\n"
	      "Prints LABEL<TAB>NANOSECONDS<TAB>STATUS for each timed run, commands interleaved.\n",
	      out);
}

/* Splits argv at each "--" into LABEL CMD ARG... groups; each "--" becomes the NULL that ends
 * the group before it (the last group ends at argv's own NULL). */
static int split_commands(int argc, char **argv, struct timed_command *out, size_t max,
			  size_t *ret_n)
{
	size_t n = 0;
	int i = 0;
	while (i < argc) {
		if (strcmp(argv[i], "--") != 0 || n == max)
			return -EINVAL;
		argv[i++] = NULL;
		int start = i;
		while (i < argc && strcmp(argv[i], "--") != 0)
			i++;
		if (i - start < 2)
			return -EINVAL;
		out[n].label = argv[start];
		out[n].argv = &argv[start + 1];
		n++;
	}
	*ret_n = n;
	return n > 0 ? 0 : -EINVAL;
}

int main(int argc, char **argv)
{
	uint64_t runs = 30, warmup = 1, budget_s = 0;
	int verbose = 0, opt;
	while ((opt = getopt(argc, argv, "+n:w:t:vh")) != -1) {
		switch (opt) {
		case 'n':
			if (parse_u64(optarg, 1, 1000000, &runs) < 0) {
				fprintf(stderr, "exec-timer: -n takes a number from 1 to 1000000\n");
				return 2;
			}
			break;
		case 'w':
			if (parse_u64(optarg, 0, 1000, &warmup) < 0) {
				fprintf(stderr, "exec-timer: -w takes a number from 0 to 1000\n");
				return 2;
			}
			break;
		case 't':
			if (parse_u64(optarg, 1, 86400, &budget_s) < 0) {
				fprintf(stderr, "exec-timer: -t takes seconds from 1 to 86400\n");
				return 2;
			}
			break;
		case 'v': verbose = 1; break;
		case 'h': usage(stdout); return 0;
		default: usage(stderr); return 2;
		}
	}
	/* getopt stops at "--" and skips it; step back so every group starts with one. */
	if (optind > 1 && strcmp(argv[optind - 1], "--") == 0)
		optind--;
	struct timed_command commands[32];
	size_t n;
	if (split_commands(argc - optind, argv + optind, commands, ELEMENTSOF(commands), &n) < 0) {
		usage(stderr);
		return 2;
	}
	_cleanup_close_ int quiet_fd = verbose ? -1 : open("/dev/null", O_RDWR | O_CLOEXEC);
	if (!verbose && quiet_fd < 0) {
		perror("exec-timer: /dev/null");
		return 1;
	}
	uint64_t timed_from = 0;
	for (uint64_t round = 0; round < warmup + runs; round++) {
		if (round == warmup)
			timed_from = now_ns();
		if (budget_s && round > warmup && now_ns() - timed_from > budget_s * 1000000000u) {
			fprintf(stderr, "exec-timer: %llu of %llu rounds done in %llu s\n",
				(unsigned long long)(round - warmup), (unsigned long long)runs,
				(unsigned long long)budget_s);
			break;
		}
		for (size_t i = 0; i < n; i++) {
			uint64_t ns = 0;
			int status = run_once(&commands[i], quiet_fd, &ns);
			if (status < 0) {
				fprintf(stderr, "exec-timer: %s: %s\n", commands[i].argv[0], strerror(-status));
				return 1;
			}
			if (round >= warmup)
				printf("%s\t%llu\t%d\n", commands[i].label, (unsigned long long)ns, status);
		}
		fflush(stdout);
	}
	return 0;
}
