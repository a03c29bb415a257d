#include "common/crash_point.h"

#ifdef TETHER_TEST_HOOKS
#include <errno.h>
#include <inttypes.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "common/cleanup.h"
#include "common/fileio.h"
#include "common/log.h"
#include "common/parse.h"

/* Every point, in the order a task crosses them; tests/e2e/crash-points.sh reads the names
 * from here (one per line, as written) and crosses each. */
static const struct {
	const char *name, *between;
} points[] = {
	{ "assign-received", "a task_assign arrived; nothing is stored" },
	{ "assign-stored", "the assignment is written, not yet committed" },
	{ "assign-committed", "the assignment is durable; its ack is not sent" },
	{ "ack-written", "an ack (of an assignment or a stop) went to the socket" },
	{ "pull-done", "the task's images are ready; no container is started" },
	{ "folder-locked", "a container's folder is locked and its config written; no monitor runs" },
	{ "monitor-spawned", "a container's monitor runs, held before its cgroup is made" },
	{ "monitor-released", "the monitor was told to start the container; the agent has not noted it" },
	{ "pid-seen", "the container's pid was seen; its state is not reported" },
	{ "state-stored", "a task_state is in the outbox, not yet committed" },
	{ "state-committed", "the task_state is durable; it is not sent" },
	{ "state-written", "a task_state went to the socket" },
	{ "state-ack-received", "the hub's ack of a task_state arrived; the outbox is unchanged" },
	{ "state-ack-stored", "the acked frame is removed from the outbox, not yet committed" },
	{ "state-ack-committed", "the removal is durable" },
	{ "stop-received", "a task_stop arrived; nothing is done" },
	{ "stop-stored", "the stop is written, not yet committed" },
	{ "stop-committed", "the stop is durable; its ack is not sent" },
	{ "forget-listed", "a stopped task's ARN joined the finished ones, in the ack's transaction" },
	{ "forget-removed", "the task's row is removed, in the same transaction" },
	{ "task-forgotten", "the task manager forgot the task; the forgetting is not yet committed" },
	{ "forget-committed", "the task is forgotten on disk too" },
};

static const char *armed;
static uint64_t armed_hit, hits;
static bool die_after_commit;

static void die(const char *name)
{
	log_warning("Test hook: crash point %s, crossing %" PRIu64 ": killing the agent", name,
		    armed_hit);
	kill(getpid(), SIGKILL);
	/* SIGKILL cannot be held off; nothing of the caller runs after it. */
	pause();
}

int crash_point_arm(const char *state_dir, struct error *err)
{
	char path[4096];
	snprintf(path, sizeof(path), "%s/%s", state_dir, CRASH_POINT_FILE);
	_cleanup_free_ char *text = NULL;
	if (read_file_full(path, 256, &text, NULL) < 0)
		return 0;
	unlink(path);
	char *name = text + strspn(text, " \t\n");
	char *hit = name + strcspn(name, " \t\n");
	if (*hit)
		*hit++ = '\0';
	hit += strspn(hit, " \t\n");
	hit[strcspn(hit, " \t\n")] = '\0';
	uint64_t n = 1;
	if (*hit && parse_u64(hit, 1, 1000000, &n) < 0)
		return error_set(err, EINVAL, "%s: the crossing '%s' is not a number from 1",
				 path, hit);
	for (size_t i = 0; i < ELEMENTSOF(points); i++)
		if (!strcmp(points[i].name, name)) {
			armed = points[i].name;
			armed_hit = n;
			hits = 0;
			log_warning("Test hook: crash point %s armed for crossing %" PRIu64 " (%s)",
				    armed, n, points[i].between);
			return 0;
		}
	return error_set(err, EINVAL, "%s: no crash point is named '%s'", path, name);
}

/* The armed crossing is this one. */
static bool crossed(const char *name)
{
	return armed && !strcmp(name, armed) && ++hits == armed_hit;
}

void crash_point(const char *name)
{
	if (crossed(name))
		die(name);
}

void crash_point_after_commit(const char *name)
{
	if (crossed(name))
		die_after_commit = true;
}

void crash_point_committed(void)
{
	if (die_after_commit)
		die(armed);
}
#endif
