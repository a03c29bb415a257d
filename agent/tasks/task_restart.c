/* The restart policy in the task manager. An end its policy restarts is not an exit: the
 * container stays RUNNING for the hub and for its dependents, and its task goes on. The restart
 * is recorded first (save_restart: the count and the time, and that a monitor is owed), and its
 * new monitor is spawned by the next tick, once the caller has made the record durable: an
 * agent killed in between finds the record and makes the restart once (tm_restart_resume),
 * never twice. The new start is the old one's config.json: the same image layers (no pull, so a
 * node without its network restarts too), environment, writable layer (as docker restart keeps
 * it) and log stream; its cgroup is made again at the same path, its health starts UNKNOWN. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "agent/tasks/task_boot_restore.h"
#include "agent/tasks/task_manager_internal.h"
#include "common/cleanup.h"
#include "common/clock.h"
#include "common/fileio.h"
#include "common/log.h"
#include "container/monitor_lock.h"
#include "container/state_folder.h"
#include "runtime/container_start.h"

/* A restart whose monitor cannot be spawned is tried again for this long (under the systemd
 * driver the ended start's scope may still be going away) before it counts as an exit. */
#define RESPAWN_TRY_MS 5000
#define RESPAWN_RETRY_MS 250
/* monitor.pid could not be read when the restart was decided: no monitor has pid 1. */
#define UNKNOWN_MONITOR 1

static double wall_now(void)
{
	struct timespec now;
	clock_gettime(CLOCK_REALTIME, &now);
	return (double)now.tv_sec + (double)now.tv_nsec / 1e9;
}

/* When this start began: the monitor writes the pid file as the container starts. */
static double started_at(const struct tm_container *c)
{
	char path[4200];
	struct stat st;
	if (snprintf(path, sizeof(path), "%s/%s", c->h.dir, CONTAINER_PID_FILE) >=
		    (int)sizeof(path) ||
	    stat(path, &st) < 0)
		return 0;
	return (double)st.st_mtim.tv_sec + (double)st.st_mtim.tv_nsec / 1e9;
}

static enum restart_verdict verdict_of(const struct task_manager *tm, const struct tm_container *c,
				       bool desired_stopped)
{
	struct restart_facts f = {
		.desired_stopped = desired_stopped,
		.has_exit_code = c->exit_known,
		.exit_code = c->exit_code,
		.started_at = started_at(c),
		.now = wall_now(),
	};
	return restart_decide(&c->def->restart_policy, &c->restart, &f,
			      tm->cfg.restart_period_percent);
}

int tm_restart_save(const struct task_manager *tm, const struct tm_task *t,
		    const struct tm_container *c)
{
	if (!tm->cfg.save_restart)
		return 0;
	return tm->cfg.save_restart(tm->cfg.userdata, t->arn, c->def->name, &c->restart);
}

int tm_restart_record(struct task_manager *tm, struct tm_task *t, struct tm_container *c)
{
	struct restart_record before = c->restart;
	pid_t monitor = 0;
	restart_record_note(&c->restart, wall_now());
	c->restart.owed_after_monitor =
		container_read_monitor_pid(c->h.dir, &monitor) == 0 ? monitor : UNKNOWN_MONITOR;
	int r = tm_restart_save(tm, t, c);
	if (r < 0)
		c->restart = before;
	return r;
}

/* Its last start ended and the policy restarts it: recorded, then RESTARTING. */
static bool begin_restart(struct task_manager *tm, struct tm_task *t, struct tm_container *c)
{
	int r = tm_restart_record(tm, t, c);
	if (r < 0) {
		log_error("Task %s: container %s is not restarted: its restart cannot be recorded "
			  "(%s)", t->id, c->def->name, strerror(-r));
		return false;
	}
	log_info("Task %s: container %s exited with code %d; restarting it (restart %u)", t->id,
		 c->def->name, c->exit_code, c->restart.count);
	container_handle_restart(&c->h);
	free(c->reason);
	c->reason = NULL;
	free(c->health_output);
	c->health_output = NULL;
	c->health = CONTAINER_HEALTH_UNKNOWN;
	c->respawn_until_ms = c->respawn_at_ms = 0;
	c->exited_now = false;
	t->changed = true;
	return true;
}

void tm_restart_exits(struct task_manager *tm, struct tm_task *t)
{
	enum restart_verdict verdicts[TASKDEF_MAX_CONTAINERS];
	size_t n = t->td->n_containers < TASKDEF_MAX_CONTAINERS ? t->td->n_containers
								 : TASKDEF_MAX_CONTAINERS;
	/* An essential container's end that is not restarted, or a container that never ran,
	 * stops the task: then nothing ending with it is restarted, as ECS does once the task's
	 * desired status is STOPPED. */
	bool stops = t->stop_code != NULL;
	for (size_t i = 0; i < n; i++) {
		const struct tm_container *c = &t->containers[i];
		verdicts[i] = RESTART_NOT_ENABLED;
		if (!c->exited_now)
			continue;
		if (c->h.state != CONTAINER_EXITED) {
			stops = true;
			continue;
		}
		verdicts[i] = verdict_of(tm, c, false);
		stops |= verdicts[i] != RESTART && c->def->essential;
	}
	for (size_t i = 0; i < n; i++) {
		struct tm_container *c = &t->containers[i];
		if (!c->exited_now || c->h.state != CONTAINER_EXITED ||
		    !c->def->restart_policy.enabled)
			continue;
		if (verdicts[i] == RESTART && stops)
			verdicts[i] = RESTART_DESIRED_STOPPED;
		if (verdicts[i] == RESTART)
			(void)begin_restart(tm, t, c);
		else
			log_info("Task %s: container %s exited%s; not restarted: %s", t->id,
				 c->def->name, c->exit_known ? "" : " (exit code unknown)",
				 restart_verdict_reason(verdicts[i]));
	}
}

/* Its config.json can start it again (not emptied by a power cut). */
static bool config_usable(const struct tm_container *c)
{
	_cleanup_free_ char *path = NULL, *text = NULL;
	_cleanup_(container_config_freep) struct container_config *cfg = NULL;
	if (asprintf(&path, "%s/%s", c->h.dir, CONTAINER_CONFIG_FILE) < 0) {
		path = NULL;
		return true; /* not known to be unusable: respawn says what fails */
	}
	return read_file_full(path, 4u << 20, &text, NULL) == 0 &&
	       container_config_from_json(text, &cfg, NULL) == 0;
}

/* The restart's monitor, from the container's own config.json. */
static int respawn(struct task_manager *tm, struct tm_task *t, struct tm_container *c,
		   pid_t *ret_monitor, struct error *err)
{
	_cleanup_free_ char *path = NULL, *text = NULL;
	_cleanup_(container_config_freep) struct container_config *cfg = NULL;
	if (asprintf(&path, "%s/%s", c->h.dir, CONTAINER_CONFIG_FILE) < 0) {
		path = NULL;
		return error_set(err, ENOMEM, "out of memory");
	}
	int r = read_file_full(path, 4u << 20, &text, NULL);
	if (r < 0)
		return error_set_errno(err, r, "read %s", path);
	r = container_config_from_json(text, &cfg, err);
	if (r < 0)
		return error_wrap(err, "%s", path);
	/* Limits as the task's start applied them (a task taken back after an agent restart has
	 * not looked at the host's controllers yet). */
	r = tm_task_check_limits(tm, t, err);
	if (r < 0)
		return r;
	struct cgroup_limits limits;
	tm_container_limits(tm, t, c, &limits);
	return container_start(tm->monitor_path, c->h.dir, cfg, &limits, ret_monitor, err);
}

static void spawn_restart(struct task_manager *tm, struct tm_task *t, struct tm_container *c)
{
	struct error err = { 0 };
	pid_t monitor = 0;
	int64_t now = monotonic_ms();
	if (now < c->respawn_at_ms)
		return;
	if (respawn(tm, t, c, &monitor, &err) < 0) {
		if (!c->respawn_until_ms)
			c->respawn_until_ms = now + RESPAWN_TRY_MS;
		if (now < c->respawn_until_ms) {
			log_debug("Task %s: container %s: restart: %s; trying again", t->id,
				  c->def->name, err.message);
			c->respawn_at_ms = now + RESPAWN_RETRY_MS;
			return;
		}
		log_warning("Task %s: container %s cannot be restarted: %s", t->id, c->def->name,
			    err.message);
		_cleanup_free_ char *reason = NULL;
		if (asprintf(&reason, "CannotStartContainerError: restart: %s", err.message) < 0)
			reason = NULL;
		free(c->reason);
		c->reason = reason ? TAKE_PTR(reason) : NULL;
		container_handle_apply(&c->h, CONTAINER_EVENT_ENDED);
		c->exit_known = false;
		c->exited_now = true;
	} else {
		/* Without its pidfd the poll waits for the child directly. */
		(void)container_handle_spawned(&c->h, monitor, tm->watch, c);
	}
	c->respawn_until_ms = c->respawn_at_ms = 0;
	c->restart.owed_after_monitor = 0;
	int r = tm_restart_save(tm, t, c);
	if (r < 0)
		log_warning("Task %s: container %s: its restart record: %s", t->id, c->def->name,
			    strerror(-r));
	t->changed = true;
}

void tm_restart_step(struct task_manager *tm, struct tm_task *t)
{
	for (size_t i = 0; t->td && i < t->td->n_containers; i++) {
		struct tm_container *c = &t->containers[i];
		if (c->h.state == CONTAINER_RESTARTING) {
			spawn_restart(tm, t, c);
		} else if (c->restart.owed_after_monitor &&
			   !(c->restoring && c->h.state == CONTAINER_PULLING)) {
			/* Stopped while RESTARTING (or before its start after a reboot): no
			 * monitor is owed any more. */
			c->restart.owed_after_monitor = 0;
			(void)tm_restart_save(tm, t, c);
		}
	}
}

/* The record of the start that ended, for the report should the restart not start. */
static void read_last_exit(struct tm_container *c)
{
	_cleanup_free_ char *path = NULL;
	struct exit_record rec = { 0 };
	if (asprintf(&path, "%s/%s", c->h.dir, CONTAINER_EXIT_FILE) < 0) {
		path = NULL;
		return;
	}
	if (exit_record_read(path, &rec, NULL) == 0 && !rec.error) {
		c->has_exit_code = true;
		c->exit_code = rec.exit_code;
	}
	exit_record_done(&rec);
}

bool tm_restart_resume(struct task_manager *tm, struct tm_task *t, struct tm_container *c)
{
	if (!tm->cfg.load_restart ||
	    tm->cfg.load_restart(tm->cfg.userdata, t->arn, c->def->name, &c->restart) <= 0)
		return false;
	c->h.ran_before = c->restart.count > 0;
	if (!c->restart.owed_after_monitor)
		return false;
	/* Owed unless its new monitor ran: a monitor holds the lock while it lives and writes
	 * its own pid first (container_start removed the ended one's). */
	pid_t monitor = 0;
	bool owed = monitor_lock_probe(c->h.dir) != 1 &&
		    (container_read_monitor_pid(c->h.dir, &monitor) < 0 ||
		     monitor == c->restart.owed_after_monitor);
	if (!owed) {
		c->restart.owed_after_monitor = 0;
		(void)tm_restart_save(tm, t, c);
		return false;
	}
	log_info("Task %s: container %s: its restart %u was recorded before the agent ended; "
		 "making it", t->id, c->def->name, c->restart.count);
	if (!config_usable(c)) {
		/* A restart after a reboot, decided before a power cut emptied the folder's
		 * config.json: it is made as that restart is, as a first start. */
		tm_boot_restore_owed(c);
		return true;
	}
	read_last_exit(c);
	container_handle_restart(&c->h);
	return true;
}
