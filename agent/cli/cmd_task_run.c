/* `tether task run FILE.json`: run a task definition locally, in the foreground, without a
 * hub, as `docker run` does for one container: output on the terminal, Ctrl-C or SIGTERM
 * stops the task, the exit status is the first essential container's (125 when the task
 * could not start). */
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/signalfd.h>
#include <unistd.h>

#include "agent/cli/commands.h"
#include "agent/cli/image_flags.h"
#include "agent/host/state_dir_fs.h"
#include "agent/tasks/task_manager.h"
#include "common/cleanup.h"
#include "common/fileio.h"
#include "common/parse.h"
#include "protocol/taskdef.h"
#include "runtime/monitor_path.h"

#define EXIT_CANNOT_START 125
/* Apart from the daemon's (identity.h): a local task run never touches the node's tasks. */
#define TASK_RUN_STATE_DIR "/var/lib/tether/local"

struct run_outcome {
	const cJSON *definition;
	bool failed_to_start;
	char reason[1024];
	bool have_exit;
	int exit_code;
	uint64_t stopped_reported;  /* bit i: container i's stop was told on stderr */
	bool quiet;                 /* say only what went wrong, not ids and exit codes */
};

static bool container_is_essential(const cJSON *definition, const char *name)
{
	const cJSON *list = cJSON_GetObjectItemCaseSensitive(definition, "containerDefinitions");
	const cJSON *c;
	cJSON_ArrayForEach(c, list) {
		const cJSON *n = cJSON_GetObjectItemCaseSensitive(c, "name");
		if (cJSON_IsString(n) && !strcmp(n->valuestring, name))
			return !cJSON_IsFalse(cJSON_GetObjectItemCaseSensitive(c, "essential"));
	}
	return true;
}

static void on_state(void *userdata, const struct task_report *r)
{
	struct run_outcome *o = userdata;
	/* Tell each container's end once, with its reason (an OOM kill, a failed start). */
	for (size_t i = 0; i < r->n_containers && i < 64; i++) {
		const struct container_report *c = &r->containers[i];
		if (c->status != TASK_STOPPED || (o->stopped_reported & (1ULL << i)))
			continue;
		o->stopped_reported |= 1ULL << i;
		if (c->has_exit_code && o->quiet && !c->reason)
			continue;
		if (c->has_exit_code)
			fprintf(stderr, "tether: container %s exited with code %d%s%s\n", c->name,
				c->exit_code, c->reason ? ": " : "", c->reason ? c->reason : "");
		else if (c->reason)
			fprintf(stderr, "tether: container %s stopped: %s\n", c->name, c->reason);
	}
	for (size_t i = 0; !o->have_exit && i < r->n_containers; i++) {
		const struct container_report *c = &r->containers[i];
		if (c->status == TASK_STOPPED && c->has_exit_code &&
		    container_is_essential(o->definition, c->name)) {
			o->have_exit = true;
			o->exit_code = c->exit_code;
		}
	}
	if (r->status == TASK_STOPPED && r->stop_code && !strcmp(r->stop_code, "TaskFailedToStart")) {
		o->failed_to_start = true;
		snprintf(o->reason, sizeof(o->reason), "%s",
			 r->stopped_reason ? r->stopped_reason : "unknown reason");
	}
}

static int make_task_arn(char *buf, size_t size)
{
	unsigned char raw[16];
	if (getrandom(raw, sizeof(raw), 0) != (ssize_t)sizeof(raw))
		return -errno;
	int n = snprintf(buf, size, "arn:aws:ecs:local:000000000000:task/local/");
	for (size_t i = 0; i < sizeof(raw); i++)
		n += snprintf(buf + n, size - (size_t)n, "%02x", raw[i]);
	return 0;
}

static void usage(FILE *out)
{
	fputs("Usage: tether task run FILE.json [--state-dir DIR] [--allow-no-limits] "
	      "[--pids-max N] [--monitor PATH] [--quiet]\n"
	      "         " IMAGE_FLAG_USAGE "\n"
	      "Run an ECS task definition on this host in the foreground, without a hub.\n"
	      "Says the task's id (its folder and cgroup) on stderr first and how each container\n"
	      "ended; --quiet says only what went wrong.\n",
	      out);
}

/* Tick the manager until the task has stopped; SIGINT/SIGTERM ask it to stop. */
static void run_until_stopped(struct task_manager *tm, const char *arn, int sfd)
{
	while (task_manager_active_count(tm) > 0) {
		/* The manager's fd wakes us when an image is ready or a monitor ends. */
		struct pollfd p[2] = {
			{ .fd = sfd, .events = POLLIN },
			{ .fd = task_manager_fd(tm), .events = POLLIN },
		};
		int timeout = task_manager_next_deadline_ms(tm);
		if (poll(p, 2, timeout) > 0 && (p[0].revents & POLLIN)) {
			struct signalfd_siginfo si;
			if (read(sfd, &si, sizeof(si)) == (ssize_t)sizeof(si))
				task_manager_stop_task(tm, arn, "Stopped by a signal to tether task run");
		}
		task_manager_tick(tm);
	}
}

int cmd_task_run(int argc, char **argv)
{
	static const struct option options[] = {
		{ "state-dir", required_argument, NULL, 's' },
		{ "allow-no-limits", no_argument, NULL, 'a' },
		{ "monitor", required_argument, NULL, 'm' },
		{ "pids-max", required_argument, NULL, 'p' },
		{ "quiet", no_argument, NULL, 'q' },
		IMAGE_FLAG_OPTIONS,
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char *state_dir = TASK_RUN_STATE_DIR, *monitor = NULL;
	bool allow_no_limits = false, quiet = false;
	uint64_t pids_max = 0;
	/* The image options of `tether run`, with its defaults. */
	struct image_pull_options images = { .registry = REGISTRY_OPTIONS_DEFAULT };
	int opt;
	while ((opt = getopt_long(argc, argv, "hq", options, NULL)) != -1) {
		int taken = image_flag_apply(opt, optarg, &images);
		if (taken < 0)
			return 2;
		if (taken)
			continue;
		switch (opt) {
		case 's': state_dir = optarg; break;
		case 'a': allow_no_limits = true; break;
		case 'q': quiet = true; break;
		case 'm': monitor = optarg; break;
		case 'p':
			if (parse_u64(optarg, 1, UINT32_MAX, &pids_max) < 0) {
				fprintf(stderr, "tether: --pids-max takes a number from 1 to %u\n", UINT32_MAX);
				return 2;
			}
			break;
		case 'h': usage(stdout); return 0;
		default: usage(stderr); return 2;
		}
	}
	if (optind != argc - 1) {
		usage(stderr);
		return 2;
	}
	const char *file = argv[optind];
	struct error err = { 0 };
	if (state_dir_refuse_unusable(state_dir, &err) < 0) {
		fprintf(stderr, "tether: refusing to start: %s\n", err.message);
		return EXIT_CANNOT_START;
	}
	_cleanup_free_ char *text = NULL;
	int r = read_file_full(file, TASKDEF_MAX_TEXT, &text, NULL);
	if (r < 0) {
		fprintf(stderr, "tether: %s: %s\n", file, strerror(-r));
		return EXIT_CANNOT_START;
	}
	cJSON *definition = cJSON_Parse(text);
	if (!definition) {
		fprintf(stderr, "tether: %s: not valid JSON\n", file);
		return EXIT_CANNOT_START;
	}
	char arn[128];
	_cleanup_free_ char *default_monitor = monitor ? NULL : monitor_default_path();
	if (!monitor)
		monitor = default_monitor;
	if (make_task_arn(arn, sizeof(arn)) < 0 || !monitor) {
		fprintf(stderr, "tether: cannot prepare the task: %m\n");
		cJSON_Delete(definition);
		return EXIT_CANNOT_START;
	}

	/* A monitor that ended before reading its start byte must not end us with it. */
	signal(SIGPIPE, SIG_IGN);
	sigset_t set;
	sigemptyset(&set);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGTERM);
	sigprocmask(SIG_BLOCK, &set, NULL);
	_cleanup_close_ int sfd = signalfd(-1, &set, SFD_CLOEXEC);

	struct run_outcome outcome = { .definition = definition, .quiet = quiet };
	struct task_manager_config cfg = {
		.state_dir = state_dir,
		.monitor_path = monitor,
		.allow_no_limits = allow_no_limits,
		.registry = images.registry,
		.image_pull_behavior = images.behavior,
		.image_store_budget = images.store_budget_bytes,
		.default_pids_max = pids_max,
		.inherit_output = true,
		.on_state = on_state,
		.userdata = &outcome,
	};
	struct task_manager *tm = NULL;
	if (sfd < 0 || task_manager_new(&cfg, &tm, &err) < 0) {
		fprintf(stderr, "tether: %s\n", sfd < 0 ? strerror(errno) : err.message);
		cJSON_Delete(definition);
		return EXIT_CANNOT_START;
	}
	/* As systemd-run says its unit: the id that names the task's folder and cgroup. */
	if (!quiet)
		fprintf(stderr, "tether: running as task %s\n", strrchr(arn, '/') + 1);
	(void)task_manager_start_task(tm, arn, definition, &err);
	run_until_stopped(tm, arn, sfd);
	task_manager_free(tm);
	cJSON_Delete(definition);

	/* Like `docker run --rm`: the task's folder (overlay upper dirs, records) goes away. */
	_cleanup_free_ char *task_dir = NULL;
	if (asprintf(&task_dir, "%s/tasks/%s", state_dir, strrchr(arn, '/') + 1) >= 0)
		(void)remove_tree(task_dir);
	if (outcome.failed_to_start) {
		fprintf(stderr, "tether: task failed to start: %s\n", outcome.reason);
		return EXIT_CANNOT_START;
	}
	return outcome.have_exit ? outcome.exit_code : EXIT_CANNOT_START;
}
