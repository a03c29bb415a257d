/* tether logs TASK [CONTAINER] [-f] [--tail N] [--state-dir DIR]: a container's output as it
 * wrote it, from the json-file files in its state folder or from the journal. TASK is the
 * task's ARN or id, as `tether status` shows it; CONTAINER may be left out when the task has
 * one container. */
#include <dirent.h>
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "agent/cli/commands.h"
#include "agent/link/identity.h"
#include "agent/logs/log_read.h"
#include "common/cleanup.h"
#include "common/fileio.h"
#include "common/log.h"
#include "common/parse.h"
#include "common/task_id.h"
#include "container/container_config.h"
#include "container/state_folder.h"
#include "runtime/container_start.h"

/* The only container folder of the task; an error naming them when there are several. */
static int only_container(const char *task_dir, char **ret, struct error *err)
{
	_cleanup_closedir_ DIR *d = opendir(task_dir);
	if (!d)
		return error_set_errno(err, errno, "no task %s here", task_dir);
	char names[512] = "";
	int count = 0;
	struct dirent *e;
	while ((e = readdir(d))) {
		if (e->d_name[0] == '.' || e->d_type != DT_DIR)
			continue;
		if (count++ == 0)
			*ret = strdup(e->d_name);
		size_t used = strlen(names);
		snprintf(names + used, sizeof(names) - used, "%s%s", used ? ", " : "", e->d_name);
	}
	if (count == 1)
		return *ret ? 0 : error_set(err, ENOMEM, "container name");
	free(*ret);
	*ret = NULL;
	if (count == 0)
		return error_set(err, ENOENT, "task %s has no containers yet", task_dir);
	return error_set(err, EINVAL, "the task has several containers (%s): name one", names);
}

static int load_config(const char *folder, struct container_config **ret, struct error *err)
{
	char path[PATH_MAX];
	snprintf(path, sizeof(path), "%s/%s", folder, CONTAINER_CONFIG_FILE);
	_cleanup_free_ char *text = NULL;
	int r = read_file_full(path, 1024 * 1024, &text, NULL);
	if (r < 0)
		return error_set_errno(err, r, "%s", path);
	r = container_config_from_json(text, ret, err);
	if (r < 0)
		return error_wrap(err, "%s", path);
	return 0;
}

static int show_logs(const char *state_dir, const char *task, const char *container,
		     bool follow, uint64_t tail, struct error *err)
{
	_cleanup_free_ char *id = NULL, *only = NULL, *task_dir = NULL, *folder = NULL;
	if (task_id_from_arn(task, &id) < 0)
		return error_set(err, EINVAL, "%s: not a task ARN or id", task);
	if (asprintf(&task_dir, "%s/tasks/%s", state_dir, id) < 0)
		return error_set(err, ENOMEM, "path");
	if (!container) {
		int r = only_container(task_dir, &only, err);
		if (r < 0)
			return r;
		container = only;
	}
	if (strchr(container, '/') || container[0] == '.')
		return error_set(err, EINVAL, "%s: not a container name", container);
	if (asprintf(&folder, "%s/%s", task_dir, container) < 0)
		return error_set(err, ENOMEM, "path");
	_cleanup_(container_config_freep) struct container_config *cfg = NULL;
	int r = load_config(folder, &cfg, err);
	if (r < 0)
		return r;
	struct log_read_options o = { .folder = folder, .follow = follow, .tail = tail,
				      .log = &cfg->log };
	const struct log_reader *reader = cfg->log.driver ? log_reader_for(cfg->log.driver) : NULL;
	if (reader)
		return reader->read(&o, err);
	return error_set(err, ENOENT, "container %s: its output was not kept (tether task run "
			 "prints it on its terminal)", container);
}

static void logs_usage(FILE *out)
{
	fputs("Usage: tether logs TASK [CONTAINER] [-f|--follow] [--tail N] [--state-dir DIR]\n"
	      "Print a container's output (TASK: the task's ARN or id; CONTAINER: needed when the\n"
	      "task has several). -f follows until the container has ended.\n",
	      out);
}

int cmd_logs(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "follow", no_argument, NULL, 'f' },
		{ "tail", required_argument, NULL, 't' },
		{ "state-dir", required_argument, NULL, 's' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 },
	};
	const char *state_dir = DEFAULT_STATE_DIR;
	bool follow = false;
	uint64_t tail = UINT64_MAX;
	int c;
	optind = 1;
	while ((c = getopt_long(argc, argv, "fh", longopts, NULL)) != -1) {
		switch (c) {
		case 'f': follow = true; break;
		case 's': state_dir = optarg; break;
		case 't':
			if (!strcmp(optarg, "all"))
				tail = UINT64_MAX;
			else if (parse_u64(optarg, 0, UINT32_MAX, &tail) < 0) {
				fprintf(stderr, "tether logs: --tail takes a number or \"all\"\n");
				return 2;
			}
			break;
		case 'h': logs_usage(stdout); return 0;
		default: logs_usage(stderr); return 2;
		}
	}
	if (argc - optind < 1 || argc - optind > 2) {
		logs_usage(stderr);
		return 2;
	}
	struct error err = { 0 };
	if (show_logs(state_dir, argv[optind], argc - optind == 2 ? argv[optind + 1] : NULL,
		      follow, tail, &err) < 0) {
		log_error("%s", err.message);
		return 1;
	}
	return 0;
}
