/* tether deregister: the node leaves its cluster. The identity is moved aside first (the
 * unit's ConditionPathExists= then keeps the daemon from coming back), a running daemon is
 * asked to exit, the tasks are stopped, the hub is told with the node's own identity, and the
 * identity and the state are removed. Whatever the hub says, the node ends up unregistered;
 * when the hub could not be told, the command says how an operator finishes. */
#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <libwebsockets.h>

#include "agent/cli/commands.h"
#include "agent/link/hub_farewell.h"
#include "agent/link/identity.h"
#include "agent/state/store.h"
#include "agent/tasks/task_stop_all.h"
#include "common/cleanup.h"
#include "common/clock.h"
#include "common/log.h"
#include "common/pid_lock.h"
#include "runtime/monitor_path.h"

#define DAEMON_EXIT_TIMEOUT_MS (60 * 1000)
/* ECS's longest stopTimeout is 120 s; every task stops at once, so this covers them all. */
#define TASKS_STOP_TIMEOUT_MS (150 * 1000)
#define HUB_TIMEOUT_MS (15 * 1000)

struct deregister_options {
	const char *state_dir;
	const char *monitor;
	const char *ca_file;
	bool force;
};

/* Take the state directory's lock, asking a daemon that holds it to exit first (SIGTERM:
 * it leaves the tasks running, as on any stop). */
static int stop_daemon(const char *state_dir, int *ret_fd, struct error *err)
{
	_cleanup_free_ char *path = NULL;
	if (asprintf(&path, "%s/agent.lock", state_dir) < 0)
		return error_set(err, ENOMEM, "out of memory");
	pid_t signalled = 0;
	int64_t deadline = monotonic_ms() + DAEMON_EXIT_TIMEOUT_MS;
	for (;;) {
		pid_t holder = 0;
		int r = pid_lock_take(path, ret_fd, &holder, err);
		if (r != -EBUSY)
			return r;
		if (holder > 0 && holder != signalled) {
			printf("Stopping the running agent (pid %ld)\n", (long)holder);
			if (kill(holder, SIGTERM) < 0 && errno != ESRCH)
				return error_set_errno(err, errno, "signal the agent (pid %ld)",
						       (long)holder);
			signalled = holder;
		}
		if (monotonic_ms() >= deadline)
			return error_set(err, ETIMEDOUT, "the agent (pid %ld) did not exit within %d s",
					 (long)holder, DAEMON_EXIT_TIMEOUT_MS / 1000);
		nanosleep(&(struct timespec){ .tv_nsec = 100 * 1000 * 1000 }, NULL);
	}
}

static int stop_tasks(const struct deregister_options *o, struct store *store, struct error *err)
{
	_cleanup_free_ char *default_monitor = o->monitor ? NULL : monitor_default_path();
	const char *monitor = o->monitor ? o->monitor : default_monitor;
	if (!monitor)
		return error_set(err, ENOENT, "cannot find tether-monitor beside this binary; give "
					      "--monitor PATH");
	struct task_stop_all_result res = { 0 };
	int r = task_stop_all(o->state_dir, store, monitor, TASKS_STOP_TIMEOUT_MS, &res, err);
	if (r < 0)
		return r;
	if (res.stopped)
		printf("Stopped %zu task(s)\n", res.stopped);
	if (res.remaining && !o->force)
		return error_set(err, EBUSY, "%zu task(s) did not stop", res.remaining);
	if (res.remaining)
		printf("%zu task(s) did not stop and are left running, orphaned (--force)\n",
		       res.remaining);
	return 0;
}

static void remove_state(const char *state_dir)
{
	static const char *const suffixes[] = { "", "-wal", "-shm" };
	for (size_t i = 0; i < ELEMENTSOF(suffixes); i++) {
		_cleanup_free_ char *path = NULL;
		if (asprintf(&path, "%s/%s%s", state_dir, STORE_FILE, suffixes[i]) < 0)
			return;
		if (unlink(path) < 0 && errno != ENOENT)
			log_warning("Cannot remove %s, ignoring: %m", path);
	}
}

static void say_hub_not_told(const struct identity *id, const char *why)
{
	fprintf(stderr,
		"tether: the hub was NOT told (%s).\n"
		"The node's tasks are stopped and its identity is removed, but the hub may still list\n"
		"%s as ACTIVE. To finish, an operator runs:\n"
		"  aws ecs deregister-container-instance --cluster %s --container-instance %s"
		" --force --endpoint-url %s\n",
		why, id->container_instance_arn, id->cluster, id->container_instance_arn,
		id->hub_url);
}

/* With the identity moved aside and the lock held: a negative errno while the node can still
 * stay registered (the caller puts the identity back), else the exit status. */
static int leave(const struct deregister_options *o, const struct identity *id,
		 struct error *err)
{
	_cleanup_free_ char *db_path = NULL;
	if (asprintf(&db_path, "%s/%s", o->state_dir, STORE_FILE) < 0)
		return error_set(err, ENOMEM, "out of memory");
	struct store *store = NULL;
	int r = store_open(db_path, false, &store, err);
	if (r < 0)
		return r;
	r = stop_tasks(o, store, err);
	if (r < 0) {
		store_close(store);
		return r;
	}
	struct error hub_err = { 0 };
	int told = hub_farewell(id, o->ca_file, store, HUB_TIMEOUT_MS, &hub_err);
	store_close(store);
	remove_state(o->state_dir);
	/* Past the point of return: a failure here is reported, never undone. */
	if (identity_remove_leaving(o->state_dir, err) < 0) {
		log_error("%s; remove it by hand", err->message);
		if (told < 0)
			say_hub_not_told(id, hub_err.message);
		return 1;
	}
	if (told < 0) {
		say_hub_not_told(id, hub_err.message);
		return 1;
	}
	printf("Deregistered %s: the hub lists it INACTIVE and the identity is removed\n",
	       id->container_instance_arn);
	return 0;
}

static int deregister(const struct deregister_options *o)
{
	struct error err = { 0 };
	int r = identity_begin_leaving(o->state_dir, &err);
	if (r < 0) {
		log_error("%s", err.message);
		return 1;
	}
	struct identity id = { 0 };
	r = identity_load_from(o->state_dir, IDENTITY_LEAVING_FILE, &id, &err);
	if (r == -ENOENT) {
		printf("Nothing to deregister: no node identity in %s\n", o->state_dir);
		return 0;
	}
	if (r < 0) {
		/* Put the identity back as it was: nothing was stopped or told yet. */
		struct error restore_err = { 0 };
		log_error("%s%s%s", err.message,
			  identity_cancel_leaving(o->state_dir, &restore_err) < 0 ? "; " : "",
			  restore_err.message[0] ? restore_err.message : "");
		return 1;
	}
	_cleanup_close_ int lock_fd = -1;
	r = stop_daemon(o->state_dir, &lock_fd, &err);
	if (r >= 0)
		r = leave(o, &id, &err);
	if (r < 0) {
		struct error restore_err = { 0 };
		log_error("%s; %s", err.message,
			  identity_cancel_leaving(o->state_dir, &restore_err) < 0
				  ? restore_err.message
				  : "the node stays registered (run 'tether deregister' again, or "
				    "with --force to leave what does not stop running, orphaned)");
	}
	identity_release(&id);
	return r < 0 ? 1 : r;
}

static void usage(FILE *out)
{
	fputs("Usage: tether deregister [--state-dir DIR] [--force] [--monitor PATH]"
	      " [--ca-file FILE]\n"
	      "Stop this node's tasks (and a running agent), tell the hub the node leaves, and\n"
	      "remove the node identity. --force leaves tasks that do not stop running, orphaned.\n",
	      out);
}

int cmd_deregister(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "state-dir", required_argument, NULL, 's' },
		{ "monitor", required_argument, NULL, 'm' },
		{ "ca-file", required_argument, NULL, 'a' },
		{ "force", no_argument, NULL, 'f' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 },
	};
	struct deregister_options o = { .state_dir = DEFAULT_STATE_DIR };
	int c;
	optind = 1;
	while ((c = getopt_long(argc, argv, "", longopts, NULL)) != -1) {
		switch (c) {
		case 's': o.state_dir = optarg; break;
		case 'm': o.monitor = optarg; break;
		case 'a': o.ca_file = optarg; break;
		case 'f': o.force = true; break;
		case 'h': usage(stdout); return 0;
		default: usage(stderr); return 2;
		}
	}
	if (optind != argc) {
		usage(stderr);
		return 2;
	}
	/* Progress on stdout keeps its place among the log lines on stderr. */
	setvbuf(stdout, NULL, _IOLBF, 0);
	lws_set_log_level(LLL_ERR | LLL_WARN, NULL);
	return deregister(&o);
}
