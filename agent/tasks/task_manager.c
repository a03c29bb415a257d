/* The task state machine: PENDING (images pulled on a worker thread, then containers started
 * in definition order through tether-monitor, each once its dependsOn allows) -> RUNNING (every
 * container started) -> STOPPED (every monitor reaped). An essential container's exit or a stop
 * request sends SIGTERM to the containers still running, dependents first, and kills their
 * cgroup after their stopTimeout. Each container's own states are runtime/container_state.h's. */
#include <errno.h>
#include <time.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "agent/tasks/task_boot_restore.h"
#include "agent/tasks/task_depends.h"
#include "agent/tasks/task_health.h"
#include "agent/tasks/task_layers.h"
#include "agent/tasks/task_limits.h"
#include "agent/tasks/task_manager.h"
#include "agent/tasks/task_manager_internal.h"
#include "common/fileio.h"
#include "common/clock.h"
#include "cgroups/cgroup.h"
#include "cgroups/cgroup_driver.h"
#include "cgroups/device_filter.h"
#include "common/cleanup.h"
#include "common/crash_point.h"
#include "common/log.h"
#include "common/task_id.h"
#include "protocol/taskdef.h"
#include "runtime/container_start.h"

#define TICK_MS 100
/* How often a container's pid file is looked for between its spawn and its start when its
 * folder cannot be watched (an adopted container, or no inotify watch left). */
#define START_POLL_MS 5
#define LOST_REASON "ContainerRuntimeError: the container's monitor ended without recording " \
		    "its exit; exit code unknown"
#define LOST_BEFORE_START_REASON "CannotStartContainerError: the monitor ended without an " \
				 "exit record"

const char *task_status_to_string(enum task_status s)
{
	switch (s) {
	case TASK_PENDING:
		return "PENDING";
	case TASK_RUNNING:
		return "RUNNING";
	case TASK_STOPPED:
		return "STOPPED";
	}
	return "UNKNOWN";
}

/* PENDING, RUNNING or STOPPED as the hub sees it (task_manager_internal.h). */
enum task_status container_status(const struct tm_container *c)
{
	if (container_state_is_final(c->h.state))
		return TASK_STOPPED;
	return c->h.pid || c->h.ran_before ? TASK_RUNNING : TASK_PENDING;
}

/* It ran, or runs: the pid was seen (in this start or an earlier one), or it exited after its
 * set-up succeeded. */
static bool container_ran(const struct tm_container *c)
{
	if (container_state_is_final(c->h.state))
		return c->h.state == CONTAINER_EXITED;
	return c->h.pid != 0 || c->h.ran_before;
}

static void emit(struct task_manager *tm, struct tm_task *t)
{
	t->changed = false;
	if (!tm->cfg.on_state)
		return;
	size_t n = t->td ? t->td->n_containers : 0;
	struct container_report *reports = calloc(n ? n : 1, sizeof(*reports));
	if (!reports)
		return;
	for (size_t i = 0; i < n; i++) {
		const struct tm_container *c = &t->containers[i];
		enum task_status status = container_status(c);
		reports[i] = (struct container_report){
			.name = c->def->name,
			.status = status,
			/* A restarted container's last exit is not its state. */
			.has_exit_code = c->has_exit_code && status == TASK_STOPPED,
			.exit_code = c->exit_code,
			.reason = c->reason,
			.pid = status == TASK_RUNNING ? c->h.pid : 0,
			.has_health_check = c->def->health_check.argv != NULL,
			.health = c->health,
			.health_output = c->health_output,
			.has_restart_policy = c->def->restart_policy.enabled || c->restart.count,
			.restart_count = c->restart.count,
		};
	}
	struct task_report r = {
		.task_arn = t->arn,
		.status = t->status,
		.stop_code = t->stop_code,
		.stopped_reason = t->stopped_reason,
		.containers = reports,
		.n_containers = n,
		.pull_started_at = t->pull_started_at,
		.pull_stopped_at = t->pull_stopped_at,
		.has_health_check = tm_task_has_health_check(t),
		.health = tm_task_health(t),
	};
	tm->cfg.on_state(tm->cfg.userdata, &r);
	free(reports);
}

static double wall_clock_seconds(void)
{
	struct timespec now;
	clock_gettime(CLOCK_REALTIME, &now);
	return (double)now.tv_sec + (double)(now.tv_nsec / 1000000) / 1000.0;
}

static void set_text(char **field, const char *text)
{
	if (*field)
		return; /* the first cause wins */
	*field = strdup(text);
}

/* The task ends with CODE and REASON unless an earlier cause already decided. */
static void task_set_stop(struct tm_task *t, const char *code, const char *reason)
{
	if (t->stop_code)
		return;
	t->stop_code = code;
	set_text(&t->stopped_reason, reason);
	t->changed = true;
}

/* SIGTERM, cgroup kill after stopTimeout (tick enforces it); a container not started never
 * will be. Dependents go first: the tick stops the others as the containers depending on them
 * end (task_depends_stop_ready). */
static void task_begin_stop(struct tm_task *t)
{
	if (t->td)
		task_depends_stop_ready(t);
	t->changed = true;
}

/* "KIND: what failed", and the fix when it failed for want of space (the message names the
 * file already); NULL when out of memory. */
static char *failure_reason(const char *kind, const struct error *err)
{
	char *reason = NULL;
	bool full = err->code == ENOSPC || err->code == EDQUOT;
	if (asprintf(&reason, "%s: %s%s", kind, err->message,
		     full ? "; its file system is full: free space on it, then run the task again"
			  : "") < 0)
		return NULL;
	return reason;
}

/* A task that never ran: every container STOPPED with REASON. */
static void task_fail(struct tm_task *t, const char *reason)
{
	task_set_stop(t, "TaskFailedToStart", reason);
	for (size_t i = 0; t->td && i < t->td->n_containers; i++) {
		struct tm_container *c = &t->containers[i];
		if (c->h.state == CONTAINER_PULLING) {
			container_handle_apply(&c->h, CONTAINER_EVENT_START_FAILED);
			set_text(&c->reason, reason);
		}
	}
	task_begin_stop(t);
}

static void task_free(struct tm_task *t)
{
	image_worker_free(t->pull);
	image_worker_free(t->images);
	for (size_t i = 0; t->td && i < t->td->n_containers; i++) {
		struct tm_container *c = &t->containers[i];
		container_handle_release(&c->h);
		free(c->reason);
		free(c->health_output);
	}
	free(t->containers);
	taskdef_free(t->td);
	free(t->arn);
	free(t->id);
	free(t->dir);
	free(t->stopped_reason);
	free(t);
}

/* Said once at start: what containers get on a kernel that takes no cgroup device filter
 * (docs/security.md). */
static void probe_device_filter(struct task_manager *tm)
{
	struct error err = { 0 };
	if (cgroup_device_filter_probe(&err) == 0)
		return;
	tm->no_device_filter = strdup(err.message);
	log_warning("This host takes no cgroup device filter (%s): tasks with "
		    "linuxParameters.devices are refused, and containers run without MKNOD; "
		    "their nodev mounts keep any device node from opening", err.message);
}

int task_manager_new(const struct task_manager_config *config, struct task_manager **ret,
		     struct error *err)
{
	if (!config->state_dir || !config->monitor_path)
		return error_set(err, EINVAL, "task manager: state_dir and monitor_path are required");
	struct task_manager *tm = calloc(1, sizeof(*tm));
	if (!tm)
		return error_set(err, ENOMEM, "task manager");
	tm->cfg = *config;
	tm->cgroups = cgroup_driver_choose();
	tm->wake_fd = tm->poll_fd = -1;
	/* Monitors outlive us and get absolute folders: a relative state dir is made absolute. */
	char cwd[4096] = "";
	if (config->state_dir[0] != '/' && !getcwd(cwd, sizeof(cwd))) {
		free(tm);
		return error_set_errno(err, errno, "task manager: current directory");
	}
	if (asprintf(&tm->state_dir, "%s%s%s", cwd, cwd[0] ? "/" : "", config->state_dir) < 0)
		tm->state_dir = NULL;
	tm->monitor_path = strdup(config->monitor_path);
	if (!tm->state_dir || !tm->monitor_path ||
	    asprintf(&tm->image_store, "%s/images", config->state_dir) < 0) {
		tm->image_store = NULL;
		task_manager_free(tm);
		return error_set(err, ENOMEM, "task manager");
	}
	tm->cfg.state_dir = tm->state_dir;
	tm->cfg.monitor_path = tm->monitor_path;
	tm->pull = (struct image_pull_options){
		.store_dir = tm->image_store,
		.registry = config->registry,
		.behavior = config->image_pull_behavior,
		.store_budget_bytes = config->image_store_budget,
		.unused_image_max_age_s = config->image_cleanup_age_s,
		.layers_in_use = task_layers_in_use,
		.layers_in_use_arg = tm->state_dir,
	};
	probe_device_filter(tm);
	int r = monitor_watch_new(&tm->watch, err);
	if (r >= 0)
		r = tm_wake_init(tm, err);
	if (r < 0) {
		task_manager_free(tm);
		return r;
	}
	*ret = tm;
	return 0;
}

void task_manager_free(struct task_manager *tm)
{
	if (!tm)
		return;
	while (tm->tasks) {
		struct tm_task *t = tm->tasks;
		tm->tasks = t->next;
		task_free(t);
	}
	free(tm->state_dir);
	free(tm->monitor_path);
	free(tm->image_store);
	free(tm->no_device_filter);
	tm_wake_release(tm);
	monitor_watch_free(tm->watch);
	free(tm);
}

struct tm_task *tm_find_task(const struct task_manager *tm, const char *arn)
{
	for (struct tm_task *t = tm->tasks; t; t = t->next)
		if (!strcmp(t->arn, arn))
			return t;
	return NULL;
}

int tm_task_check_limits(struct task_manager *tm, struct tm_task *t, struct error *err)
{
	_cleanup_free_ char *available = NULL, *missing = NULL;
	struct error cerr = { 0 };
	if (cgroup_available_controllers(&available, &cerr) < 0 && !(available = strdup("")))
		return error_set(err, ENOMEM, "controllers");
	/* A fork bomb must not take the host down, whether or not the task asks for limits. */
	t->pids_limit = task_limits_csv_has(available, "pids");
	if (!taskdef_requests_limits(t->td))
		return 0;
	if (task_limits_missing_controllers(t->td, available, &missing) < 0)
		return error_set(err, ENOMEM, "controllers");
	if (!missing[0]) {
		t->limits = true;
		return 0;
	}
	if (tm->cfg.allow_no_limits)
		return 0;
	return error_set(err, EOPNOTSUPP,
			 "the task asks for cpu/memory limits but the cgroup v2 controllers %s are "
			 "not available on this host (available: %s); run the agent with "
			 "`--allow-no-limits` to run tasks without their limits",
			 missing, available[0] ? available : "none");
}

static int task_setup(struct task_manager *tm, struct tm_task *t, const cJSON *json,
		      struct error *err)
{
	int r = task_id_from_arn(t->arn, &t->id);
	if (r < 0)
		return error_set(err, -r, "task ARN '%s': the id must be 1-%d characters of "
				 "[A-Za-z0-9-]", t->arn, TASK_ID_MAX);
	if (asprintf(&t->dir, "%s/tasks/%s", tm->state_dir, t->id) < 0) {
		t->dir = NULL;
		return error_set(err, ENOMEM, "task");
	}
	r = taskdef_from_json(json, &t->td, err);
	if (r < 0)
		return error_wrap(err, "task definition");
	size_t n = t->td->n_containers;
	t->containers = calloc(n ? n : 1, sizeof(*t->containers));
	if (!t->containers)
		return error_set(err, ENOMEM, "task");
	for (size_t i = 0; i < n; i++) {
		struct tm_container *c = &t->containers[i];
		c->def = &t->td->containers[i];
		container_handle_init(&c->h);
		c->h.stop_timeout = c->def->stop_timeout;
		if (asprintf(&c->h.dir, "%s/%s", t->dir, c->def->name) < 0) {
			c->h.dir = NULL;
			return error_set(err, ENOMEM, "task");
		}
		r = tm->cgroups->container_path(t->id, c->def->name, &c->h.cgroup, err);
		if (r < 0)
			return r;
	}
	return 0;
}

/* Only a device filter keeps a container to the devices it was given and their permissions. */
static int check_devices(const struct task_manager *tm, const struct tm_task *t,
			 struct error *err)
{
	for (size_t i = 0; tm->no_device_filter && i < t->td->n_containers; i++)
		if (t->td->containers[i].linux_parameters.n_devices)
			return error_set(err, EOPNOTSUPP, "containerDefinitions[%zu].linuxParameters."
					 "devices: this host cannot restrict a container to its "
					 "devices (no cgroup device filter: %s)", i,
					 tm->no_device_filter);
	return 0;
}

int tm_task_pull(struct task_manager *tm, struct tm_task *t, struct error *err)
{
	int r = tm_task_check_limits(tm, t, err);
	if (r >= 0)
		r = check_devices(tm, t, err);
	if (r < 0)
		return r;
	size_t n = t->td->n_containers;
	char **refs = calloc(n + 1, sizeof(char *));
	if (!refs)
		return error_set(err, ENOMEM, "task");
	for (size_t i = 0; i < n; i++)
		refs[i] = t->td->containers[i].image;
	/* Containers started again after a reboot run the image they ran, from the store when
	 * it still has it: the node may have no network yet. The pull's times told are the
	 * task's first pull's. */
	struct image_pull_options pull = tm->pull;
	if (tm_boot_restore_pending(t))
		pull.behavior = IMAGE_PULL_PREFER_CACHED;
	else
		t->pull_started_at = wall_clock_seconds();
	r = image_worker_start(&pull, refs, n, tm_wake, tm, &t->pull, err);
	free(refs);
	return r;
}

int task_manager_start_task(struct task_manager *tm, const char *task_arn,
			    const cJSON *task_definition, struct error *err)
{
	struct tm_task *t;
	int r = tm_task_create(tm, task_arn, task_definition, &t, err);
	if (r < 0 || !t)
		return r;
	r = tm_task_pull(tm, t, err);
	if (r < 0) {
		tm_task_refuse(tm, t, err->message);
		return r;
	}
	emit(tm, t);
	return 0;
}

int tm_task_create(struct task_manager *tm, const char *arn, const cJSON *json,
		   struct tm_task **ret, struct error *err)
{
	*ret = NULL;
	if (!arn)
		return error_set(err, EINVAL, "task ARN missing");
	if (tm_find_task(tm, arn))
		return 0;
	struct tm_task *t = calloc(1, sizeof(*t));
	if (!t || !(t->arn = strdup(arn))) {
		free(t);
		return error_set(err, ENOMEM, "task");
	}
	t->status = TASK_PENDING;
	t->next = tm->tasks;
	tm->tasks = t;
	int r = task_setup(tm, t, json, err);
	if (r < 0) {
		tm_task_refuse(tm, t, err->message);
		return r;
	}
	*ret = t;
	return 0;
}

void tm_task_refuse(struct task_manager *tm, struct tm_task *t, const char *reason)
{
	task_fail(t, reason);
	for (size_t i = 0; t->td && i < t->td->n_containers; i++)
		if (container_handle_active(&t->containers[i].h))
			return; /* a resumed task's running containers: the tick sees them end */
	t->status = TASK_STOPPED;
	emit(tm, t);
}

static int set_metadata_uri(struct task_manager *tm, const struct tm_task *t,
			    const struct tm_container *c, struct container_config *cfg,
			    struct error *err)
{
	if (!tm->cfg.metadata_uri || (t->td->network_mode && !strcmp(t->td->network_mode, "none")))
		return 0;
	_cleanup_free_ char *uri = tm->cfg.metadata_uri(tm->cfg.userdata, t->arn, c->def->name);
	if (uri && container_config_set_env(cfg, "ECS_CONTAINER_METADATA_URI_V4", uri) < 0)
		return error_set(err, ENOMEM, "container env");
	return 0;
}

void tm_container_limits(const struct task_manager *tm, const struct tm_task *t,
			 const struct tm_container *c, struct cgroup_limits *ret)
{
	*ret = (struct cgroup_limits){ 0 };
	if (t->limits)
		task_limits_of_container(c->def, ret);
	if (t->pids_limit)
		ret->pids_max = tm->cfg.default_pids_max ? tm->cfg.default_pids_max
							 : TASK_MANAGER_DEFAULT_PIDS_MAX;
}

static int start_one(struct task_manager *tm, struct tm_task *t, struct tm_container *c,
		     const struct image *img, struct error *err)
{
	_cleanup_(container_config_freep) struct container_config *cfg = NULL;
	int r = container_config_resolve(c->def, t->td->network_mode, &img->config, t->id,
					 img->layers, c->h.cgroup, &cfg, err);
	if (r < 0)
		return r;
	r = set_metadata_uri(tm, t, c, cfg, err);
	if (r < 0)
		return r;
	r = container_storage_resolve(t->td, c->def, t->dir, &cfg->storage, err);
	if (r < 0)
		return r;
	r = container_storage_create_sources(&cfg->storage, err);
	if (r < 0)
		return r;
	cfg->inherit_output = tm->cfg.inherit_output;
	if (container_log_resolve(&c->def->log, c->def->name, t->arn,
				  container_log_journald_running(), &cfg->log) < 0)
		return error_set(err, ENOMEM, "container %s: log configuration", c->def->name);
	struct cgroup_limits limits;
	tm_container_limits(tm, t, c, &limits);
	pid_t monitor_pid;
	r = container_start(tm->monitor_path, c->h.dir, cfg, &limits, &monitor_pid, err);
	if (r < 0)
		return r;
	/* Without its pidfd the poll waits for the child directly. */
	(void)container_handle_spawned(&c->h, monitor_pid, tm->watch, c);
	return 0;
}

/* The containers not started yet whose dependencies are met (all of them without dependsOn)
 * start, in order; those whose dependencies can no longer be met give up, which fails the task
 * (task_after_exits). The images are released once no container waits. */
static void task_start_ready(struct task_manager *tm, struct tm_task *t)
{
	if (!t->images)
		return;
	struct image **images;
	const struct error *perr;
	(void)image_worker_result(t->images, &images, &perr);
	int64_t now = monotonic_ms();
	task_depends_note_starts(t, now);
	bool waiting = false;
	struct error err = { 0 };
	/* Containers an earlier agent started (a task resumed mid-start) are not started again. */
	for (size_t i = 0; !t->stop_code && i < t->td->n_containers; i++) {
		struct tm_container *c = &t->containers[i];
		_cleanup_free_ char *reason = NULL;
		if (c->h.state != CONTAINER_PULLING)
			continue;
		/* One the reboot killed waits for tm_boot_restore_decide, the images kept. */
		if (c->lost_by_reboot) {
			waiting = true;
			continue;
		}
		enum depends_verdict v = task_depends_verdict(t, i, now, &reason);
		if (v == DEPENDS_WAIT) {
			waiting = true;
			continue;
		}
		t->changed = true;
		if (v != DEPENDS_MET) {
			container_handle_apply(&c->h, CONTAINER_EVENT_START_FAILED);
			set_text(&c->reason, reason ? reason : "CannotStartContainerError: dependsOn");
			c->exited_now = true;
		} else if (start_one(tm, t, c, images[i], &err) < 0) {
			error_wrap(&err, "container %s", c->def->name);
			reason = failure_reason("CannotStartContainerError", &err);
			task_fail(t, reason ? reason : "CannotStartContainerError");
		} else if (c->restoring) {
			tm_boot_restore_started(tm, t, c);
		}
	}
	if (!waiting || t->stop_code) {
		image_worker_free(t->images);
		t->images = NULL;
	}
}

/* Images are ready: set the task's own cgroup up and start the containers that may start. */
static void task_start_containers(struct task_manager *tm, struct tm_task *t)
{
	struct error err = { 0 };
	_cleanup_free_ char *task_cgroup = NULL;
	if (tm->cgroups->task_path(t->id, &task_cgroup, &err) < 0) {
		task_fail(t, "CannotStartContainerError: out of memory");
		return;
	}
	int r = cgroup_create(task_cgroup, &err);
	if (r >= 0 && t->limits) {
		struct cgroup_limits limits;
		task_limits_of_task(t->td, &limits);
		r = cgroup_set_limits(task_cgroup, &limits, &err);
	}
	if (r < 0) {
		_cleanup_free_ char *reason = failure_reason("CannotStartContainerError", &err);
		task_fail(t, reason ? reason : "CannotStartContainerError");
	}
	task_start_ready(tm, t);
	t->changed = true;
}

static int pull_progress_path(const struct tm_task *t, char *buf, size_t size)
{
	return snprintf(buf, size, "%s/" TASK_PULL_PROGRESS_FILE, t->dir) < (int)size ? 0
										     : -ENAMETOOLONG;
}

/* For `tether status`: how far the task's images have come, once a second at most. */
static void note_pull_progress(struct tm_task *t)
{
	if (!t->pull || image_worker_done(t->pull))
		return;
	uint64_t done = 0, total = 0;
	image_worker_progress(t->pull, &done, &total);
	int64_t now = monotonic_ms();
	char path[4200], text[128];
	if (total == 0 || done == t->pull_progress_written || now - t->pull_progress_at < 1000 ||
	    pull_progress_path(t, path, sizeof(path)) < 0 || mkdir_parents(t->dir, 0700) < 0)
		return;
	snprintf(text, sizeof(text), "{\"bytes_done\": %llu, \"bytes_total\": %llu}\n",
		 (unsigned long long)done, (unsigned long long)total);
	/* Best effort: a status a second late is no harm. */
	if (write_file_atomic(path, text, strlen(text), 0600) == 0) {
		t->pull_progress_written = done;
		t->pull_progress_at = now;
	}
}

static void poll_pull(struct task_manager *tm, struct tm_task *t)
{
	if (!t->pull || !image_worker_done(t->pull))
		return;
	struct image **images;
	const struct error *perr;
	int r = image_worker_result(t->pull, &images, &perr);
	if (t->pull_started_at)
		t->pull_stopped_at = wall_clock_seconds();
	char path[4200];
	if (t->pull_progress_at && pull_progress_path(t, path, sizeof(path)) == 0)
		unlink(path);
	if (t->stop_code) {
		task_begin_stop(t); /* stopped while pulling: nothing was started */
	} else if (r < 0) {
		_cleanup_free_ char *reason = failure_reason("CannotPullContainerError", perr);
		task_fail(t, reason ? reason : "CannotPullContainerError");
	} else {
		crash_point("pull-done");
		t->images = TAKE_PTR(t->pull);
		task_start_containers(tm, t);
	}
	image_worker_free(t->pull);
	t->pull = NULL;
	t->changed = true;
}

/* Turn the exit record into the container's exit code and reason. */
void tm_container_ended(struct tm_container *c, struct exit_record *rec)
{
	if (rec->error) {
		_cleanup_free_ char *reason = NULL;
		if (asprintf(&reason, "CannotStartContainerError: %s", rec->error) < 0)
			reason = NULL;
		set_text(&c->reason, reason ? reason : "CannotStartContainerError");
	} else {
		c->has_exit_code = true;
		c->exit_code = rec->exit_code;
		if (rec->oom)
			set_text(&c->reason, OOM_REASON);
	}
	c->exit_known = !rec->error;
	c->exited_now = true;
}

/* The monitor died without recording the exit: ECS too reports no exit code when it cannot
 * know it. A container that never got a pid did not start. */
static void container_lost(struct tm_container *c)
{
	set_text(&c->reason, container_ran(c) ? LOST_REASON : LOST_BEFORE_START_REASON);
	c->exit_known = false;
	c->exited_now = true;
}

static void poll_container(struct tm_task *t, struct tm_container *c)
{
	struct exit_record rec = { 0 };
	int changes = container_handle_poll(&c->h, &rec);
	if (changes & CONTAINER_CHANGE_STARTED) {
		crash_point("pid-seen");
		c->restoring = false;
		t->changed = true;
	}
	if (changes & CONTAINER_CHANGE_ENDED) {
		c->restoring = false;
		/* The note told why it ran again; its end has a reason of its own. */
		if (c->restore_note) {
			free(c->reason);
			c->reason = NULL;
			c->restore_note = false;
		}
	}
	if (changes & CONTAINER_CHANGE_LOST) {
		container_lost(c);
		t->changed = true;
	} else if (changes & CONTAINER_CHANGE_ENDED) {
		tm_container_ended(c, &rec);
		exit_record_done(&rec);
		t->changed = true;
	}
}

static void task_after_exits(const struct task_manager *tm, struct tm_task *t)
{
	bool all_stopped = true, all_ran = true;
	for (size_t i = 0; i < t->td->n_containers; i++) {
		struct tm_container *c = &t->containers[i];
		if (c->exited_now) {
			c->exited_now = false;
			if (!container_ran(c))
				task_fail(t, c->reason ? c->reason : "CannotStartContainerError");
			else if (c->def->essential && !t->stop_code) {
				task_set_stop(t, "EssentialContainerExited",
					      "Essential container in task exited");
				task_begin_stop(t);
			}
		}
		all_stopped &= container_state_is_final(c->h.state);
		all_ran &= container_ran(c);
	}
	if (t->status == TASK_PENDING && all_ran && !t->pull) {
		t->status = TASK_RUNNING;
		t->changed = true;
	}
	if (all_stopped && !t->pull) {
		t->status = TASK_STOPPED;
		t->changed = true;
		/* The task's own cgroup, empty now; one left behind (a process that escaped
		 * the kill) is said, and costs nothing else. */
		struct error err = { 0 };
		_cleanup_free_ char *task_cgroup = NULL;
		if (tm->cgroups->task_path(t->id, &task_cgroup, &err) < 0 ||
		    cgroup_remove(task_cgroup, &err) < 0)
			log_warning("task %s: its cgroup stays: %s", t->id, err.message);
	}
}

static void monitor_ended(void *data)
{
	struct tm_container *c = data;
	container_handle_note_monitor_end(&c->h);
}

static void pid_written(void *data)
{
	struct tm_container *c = data;
	container_handle_note_pid_write(&c->h);
}

/* A container of the task ran: a task stopped before any did never was RUNNING. */
static bool task_any_ran(const struct tm_task *t)
{
	for (size_t i = 0; i < t->td->n_containers; i++)
		if (container_ran(&t->containers[i]))
			return true;
	return false;
}

static void tick_task(struct task_manager *tm, struct tm_task *t)
{
	/* Also for a task that stopped: a container stopped while RESTARTING owes nothing. */
	tm_restart_step(tm, t);
	if (t->status == TASK_STOPPED)
		return;
	note_pull_progress(t);
	/* Until the containers the reboot killed are decided (at this tick's end), a pull that
	 * already ended (failed: their images are not in the store) waits for the next tick: the
	 * decision, and the restarts it counts, must not hang on how fast the pull ended. */
	if (!tm_boot_restore_undecided(t))
		poll_pull(tm, t);
	for (size_t i = 0; i < t->td->n_containers; i++)
		poll_container(t, &t->containers[i]);
	/* Before anything reads the ends: one its restart policy restarts is not an end. */
	tm_restart_exits(tm, t);
	/* Health first: a dependency that turned HEALTHY lets its dependents start now. */
	if (tm_task_read_health(t, monotonic_ms()))
		t->changed = true;
	task_start_ready(tm, t);
	/* A task that reached RUNNING and STOPPED within one tick reports both. */
	enum task_status before = t->status;
	task_after_exits(tm, t);
	/* Once the task's rules have said whether it stops. */
	tm_boot_restore_decide(tm, t);
	if (t->stop_code)
		task_depends_stop_ready(t);
	if (before == TASK_PENDING && t->status == TASK_STOPPED && t->stop_code &&
	    strcmp(t->stop_code, "TaskFailedToStart") != 0 && task_any_ran(t)) {
		t->status = TASK_RUNNING;
		emit(tm, t);
		t->status = TASK_STOPPED;
		t->changed = true;
	}
	if (t->changed)
		emit(tm, t);
}

void task_manager_tick(struct task_manager *tm)
{
	tm_wake_drain(tm);
	monitor_watch_collect_files(tm->watch, pid_written);
	monitor_watch_collect(tm->watch, monitor_ended);
	for (struct tm_task *t = tm->tasks; t; t = t->next)
		tick_task(tm, t);
}

int task_manager_stop_task(struct task_manager *tm, const char *task_arn, const char *reason)
{
	struct tm_task *t = task_arn ? tm_find_task(tm, task_arn) : NULL;
	if (!t)
		return -ENOENT;
	if (t->status == TASK_STOPPED)
		return 0;
	task_set_stop(t, "UserInitiated", reason ? reason : "Task stopped by user");
	/* Containers not started yet are marked stopped; those started (a task resumed while
	 * its images are prepared again) get their SIGTERM now. Only this task is looked at:
	 * others' containers start from the caller's tick, never from a stop. */
	task_begin_stop(t);
	tick_task(tm, t);
	return 0;
}

int task_manager_next_deadline_ms(const struct task_manager *tm)
{
	bool active = false;
	for (const struct tm_task *t = tm->tasks; t; t = t->next) {
		if (t->status == TASK_STOPPED)
			continue;
		active = true;
		for (size_t i = 0; i < t->td->n_containers; i++)
			if (container_handle_awaits_unwatched_pid(&t->containers[i].h) ||
			    t->containers[i].h.state == CONTAINER_RESTARTING)
				return START_POLL_MS;
	}
	return active ? TICK_MS : -1;
}

int task_manager_forget_task(struct task_manager *tm, const char *task_arn)
{
	for (struct tm_task **p = &tm->tasks; *p; p = &(*p)->next) {
		struct tm_task *t = *p;
		if (strcmp(t->arn, task_arn) != 0)
			continue;
		if (t->status != TASK_STOPPED)
			return -EBUSY;
		*p = t->next;
		task_free(t);
		return 0;
	}
	return -ENOENT;
}

size_t task_manager_active_count(const struct task_manager *tm)
{
	size_t n = 0;
	for (const struct tm_task *t = tm->tasks; t; t = t->next)
		n += t->status != TASK_STOPPED;
	return n;
}

size_t task_manager_count(const struct task_manager *tm, enum task_status status)
{
	size_t n = 0;
	for (const struct tm_task *t = tm->tasks; t; t = t->next)
		n += t->status == status;
	return n;
}

int task_manager_foreach_container(const struct task_manager *tm, task_manager_container_fn fn,
				   void *userdata)
{
	for (const struct tm_task *t = tm->tasks; t; t = t->next)
		for (size_t i = 0; t->td && i < t->td->n_containers; i++) {
			const struct tm_container *c = &t->containers[i];
			if (!c->h.cgroup)
				continue;
			int r = fn(userdata, t->arn, t->status, c->def->name, c->h.cgroup);
			if (r < 0)
				return r;
		}
	return 0;
}

void task_manager_report_all(struct task_manager *tm)
{
	for (struct tm_task *t = tm->tasks; t; t = t->next)
		emit(tm, t);
}
