/* tether run: the daemon. One lws event loop owns the hub link, the task manager's tick timer
 * and signal handling; state changes go to the outbox in state.db before they are sent. */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <openssl/evp.h>

#include "agent/daemon/boot_check.h"
#include "agent/daemon/daemon.h"
#include "agent/daemon/daemon_api.h"
#include "agent/daemon/daemon_cgroups.h"
#include "agent/daemon/daemon_internal.h"
#include "agent/daemon/run_options.h"
#include "agent/daemon/service_notify.h"
#include "agent/daemon/service_status.h"
#include "agent/daemon/service_watchdog.h"
#include "agent/daemon/state_open.h"
#include "agent/daemon/test_hooks.h"
#include "agent/host/host_check.h"
#include "agent/host/state_dir_fs.h"
#include "agent/link/frame_handler.h"
#include "agent/link/hostinfo.h"
#include "agent/link/hub_link.h"
#include "agent/link/identity.h"
#include "agent/link/node_frames.h"
#include "agent/link/version.h"
#include "agent/state/daemon_state.h"
#include "agent/state/store.h"
#include "agent/tasks/restart_store.h"
#include "agent/tasks/task_manager.h"
#include "agent/tasks/task_state_frame.h"
#include "cgroups/cgroup.h"
#include "cgroups/cgroup_driver.h"
#include "common/cleanup.h"
#include "common/clock.h"
#include "common/crash_point.h"
#include "common/log.h"
#include "common/pid_lock.h"
#include "protocol/auth.h"
#include "protocol/frame.h"
#include "protocol/json_value.h"
#include "protocol/liveness.h"
#include "runtime/monitor_path.h"

#define TICK_INTERVAL_MS 100

static volatile sig_atomic_t stop_requested;
static struct lws_context *signal_context;

static void on_stop_signal(int sig)
{
	(void)sig;
	stop_requested = 1;
	if (signal_context)
		lws_cancel_service(signal_context);
}

void daemon_send_now(struct daemon *d, const char *text)
{
	if (!d->link)
		return;
	int r = hub_link_send(d->link, text, strlen(text));
	if (r < 0 && r != -ENOTCONN)
		log_warning("Cannot queue a frame to the hub: %s", strerror(-r));
}

static void send_text(void *userdata, const char *text)
{
	struct daemon *d = userdata;
	if (!store_commit_pending(d->store)) {
		daemon_send_now(d, text);
		return;
	}
	size_t size = strlen(text) + 1;
	struct held_frame *f = malloc(sizeof(*f) + size);
	if (!f) {
		log_error("Out of memory holding a frame for the hub");
		return;
	}
	f->next = NULL;
	memcpy(f->text, text, size);
	*d->held_tail = f;
	d->held_tail = &f->next;
}

/* The commit went through: the state change is in the outbox. */
static void send_state(void *userdata, const char *task_arn, const char *status,
		       const char *text)
{
	struct daemon *d = userdata;
	log_info("Task %s is %s", task_arn, status);
	/* Not ready: the welcome's replay of the outbox sends it. */
	if (d->link && frame_handler_ready(&d->handler))
		daemon_send_now(d, text);
}

/* The assignments of the turn are on disk (COMMITTED) and go to the task manager, or were
 * rolled back and are forgotten (the hub, not acked, sends them again). True when the task
 * manager got one: its first report waits for a commit of its own. */
static bool release_starts(struct daemon *d, bool committed)
{
	bool started = false;
	while (d->starts_head) {
		struct held_start *h = d->starts_head;
		d->starts_head = h->next;
		struct error err = { 0 };
		if (committed && task_manager_start_task(d->tm, h->task_arn, h->definition, &err) < 0)
			log_warning("Task %s cannot start: %s", h->task_arn, err.message);
		started |= committed;
		free(h->task_arn);
		cJSON_Delete(h->definition);
		free(h);
	}
	d->starts_tail = &d->starts_head;
	return started;
}

static void note_store_failure(struct daemon *d, const struct error *err)
{
	d->store_retry_at_ms = monotonic_ms() + STORE_RETRY_MS;
	if (d->store_failing)
		return;
	d->store_failing = true;
	log_error("Cannot write the state database: %s; %zu task state change(s) are kept in "
		  "memory and written in order once it takes writes again (tried every %d s); "
		  "assignments are not acknowledged until then", err->message,
		  state_backlog_count(&d->backlog), STORE_RETRY_MS / 1000);
	daemon_health_soon(d);
}

static void note_store_written(struct daemon *d)
{
	if (!d->store_failing)
		return;
	d->store_failing = false;
	log_info("The state database %s takes writes again: the changes kept in memory are "
		 "written", store_path(d->store));
	daemon_health_soon(d);
}

/* The writes of this turn of the loop, with the task state changes still waiting, reach the
 * disk in one commit; then the frames and the starts that waited for them go on. When the
 * commit fails they are dropped and the link restarts, so that both sides go on from what is
 * stored (unacked assignments come again, the outbox is replayed); the state changes stay in
 * the backlog. True when tasks were handed to the task manager. */
static bool commit_turn(struct daemon *d)
{
	struct error err = { 0 }, append_err = { 0 };
	int appended = 0;
	bool was_failing = d->store_failing;
	bool tried = state_backlog_count(&d->backlog) &&
		     (!d->store_failing || monotonic_ms() >= d->store_retry_at_ms);
	if (tried)
		appended = state_backlog_append(&d->backlog, d->store, &append_err);
	bool wrote = store_commit_pending(d->store);
	bool failed = store_commit(d->store, &err) < 0;
	if (failed)
		state_backlog_rolled_back(&d->backlog);
	else
		crash_point_committed();
	bool dropped = false;
	while (d->held_head) {
		struct held_frame *f = d->held_head;
		d->held_head = f->next;
		if (!failed)
			daemon_send_now(d, f->text);
		dropped |= failed;
		free(f);
	}
	d->held_tail = &d->held_head;
	if (!failed)
		state_backlog_committed(&d->backlog, send_state, d);
	bool started = release_starts(d, !failed);
	if (failed)
		note_store_failure(d, &err);
	else if (appended < 0)
		note_store_failure(d, &append_err);
	else if (wrote && (tried || !state_backlog_count(&d->backlog)))
		note_store_written(d); /* not while what waits was not even tried */
	/* Writes that promised the hub nothing (the connection state, an ack's removal from
	 * the outbox, which a replay repeats harmlessly) are retried by the next turn; the link
	 * stays up, so that a node whose state database fails can still say so. */
	bool relink = (dropped || d->relink) && d->link;
	if (relink && was_failing && d->store_failing) {
		/* Still failing: the hub would send the same frames into the same failure. */
		d->relink_when_written = true;
	} else if (relink || (d->relink_when_written && !d->store_failing && d->link)) {
		log_warning("%s; reconnecting, so that the hub sends what it has not had "
			    "acknowledged again", relink ? (dropped ? "Frames to the hub dropped with "
			    "the writes they told of" : "An assignment was not stored") :
			    "Acknowledgements were dropped while the state database failed");
		hub_link_close(d->link, LWS_CLOSE_STATUS_UNEXPECTED_CONDITION,
			       "agent state not written");
		d->relink_when_written = false;
	}
	d->relink = false;
	return started;
}

void daemon_commit_and_send(struct daemon *d)
{
	if (commit_turn(d))
		commit_turn(d); /* the first reports of the tasks just handed over */
}

static char *make_hello(void *userdata, const char *nonce, struct error *err)
{
	struct daemon *d = userdata;
	return node_hello_frame(d->id.node_id, d->key, nonce, &d->host, err);
}

/* Outbox frames are on disk already: they need not wait for this turn's commit. */
static int replay_one(void *userdata, uint64_t seq, const char *frame_text)
{
	(void)seq;
	daemon_send_now(userdata, frame_text);
	return 0;
}

static void on_welcome(void *userdata, const cJSON *welcome)
{
	struct daemon *d = userdata;
	hub_link_reset_backoff(d->link);
	/* The hub's heartbeat period, so that both ends keep the same clock. */
	const cJSON *hb = cJSON_GetObjectItemCaseSensitive(welcome, "heartbeat_seconds");
	hub_link_set_heartbeat(d->link, json_is_unsigned_integer(hb) && hb->valuedouble >= 1 &&
							hb->valuedouble <= LIVENESS_MAX_HEARTBEAT_SECONDS
						? (unsigned)hb->valuedouble
						: LIVENESS_DEFAULT_HEARTBEAT_SECONDS);
	log_info("Connected to the hub as %s", d->id.node_id);
	daemon_state_connected(d->store, d->id.connect_url);
	service_status_connected(&d->status, task_manager_active_count(d->tm));

	struct error err = { 0 };
	if (store_outbox_foreach(d->store, replay_one, d, &err) < 0)
		log_error("Cannot replay the outbox: %s", err.message);
	daemon_reports_connected(d);
}

static int start_task(void *userdata, const char *task_arn, const cJSON *definition,
		      struct error *err)
{
	struct daemon *d = userdata;
	if (!store_commit_pending(d->store))
		return task_manager_start_task(d->tm, task_arn, definition, err);
	struct held_start *h = calloc(1, sizeof(*h));
	if (!h || !(h->task_arn = strdup(task_arn)) ||
	    !(h->definition = cJSON_Duplicate(definition, true))) {
		if (h)
			free(h->task_arn);
		free(h);
		return error_set(err, ENOMEM, "out of memory");
	}
	*d->starts_tail = h;
	d->starts_tail = &h->next;
	return 0;
}

static int stop_task(void *userdata, const char *task_arn, const char *reason)
{
	struct daemon *d = userdata;
	return task_manager_stop_task(d->tm, task_arn, reason);
}

static void forget_task(void *userdata, const char *task_arn)
{
	struct daemon *d = userdata;
	(void)task_manager_forget_task(d->tm, task_arn);
	crash_point("task-forgotten");
}

static void assignment_not_stored(void *userdata)
{
	struct daemon *d = userdata;
	d->relink = true;
}

static const struct frame_handler_ops handler_ops = {
	.make_hello = make_hello,
	.send = send_text,
	.on_welcome = on_welcome,
	.start_task = start_task,
	.stop_task = stop_task,
	.forget_task = forget_task,
	.assignment_not_stored = assignment_not_stored,
	.metrics_acked = daemon_metrics_acked,
};

/* Into the backlog, which the turn's commit appends to the outbox (commit_turn): a change the
 * state database cannot take waits there, in order, instead of being lost. */
static void on_task_state(void *userdata, const struct task_report *report)
{
	struct daemon *d = userdata;
	const char *status = task_status_to_string(report->status);
	cJSON *frame = task_state_frame_now(report);
	if (!frame || state_backlog_push(&d->backlog, report->task_arn, status, frame) < 0)
		log_error("Out of memory recording the state of %s (%s)", report->task_arn, status);
}

static void on_established(void *userdata)
{
	struct daemon *d = userdata;
	frame_handler_reset(&d->handler);
}

static void on_message(void *userdata, const char *data, size_t size)
{
	struct daemon *d = userdata;
	frame_handler_receive(&d->handler, data, size);
}

static void on_closed(void *userdata, int close_code, const char *reason, unsigned retry_ms)
{
	struct daemon *d = userdata;
	bool was_ready = frame_handler_ready(&d->handler);
	frame_handler_reset(&d->handler);
	char what[384];
	if (close_code == CLOSE_PROTOCOL_UNSUPPORTED)
		snprintf(what, sizeof(what), "hub refused our protocol (4001): %s", reason);
	else if (close_code == CLOSE_AUTH_FAILED)
		snprintf(what, sizeof(what),
			 "hub refused authentication (4003): %s; check the node identity", reason);
	else if (close_code == CLOSE_DEREGISTERED)
		snprintf(what, sizeof(what),
			 "node deregistered by the hub (4004): %s; its tasks run on, orphaned, until "
			 "'tether deregister' stops them and removes the identity", reason);
	else if (close_code == CLOSE_REPLACED)
		snprintf(what, sizeof(what),
			 "replaced by another connection of this node (4005): %s; is a second agent "
			 "running with this identity?", reason);
	else if (close_code)
		snprintf(what, sizeof(what), "closed by the hub (%d): %s", close_code, reason);
	else
		snprintf(what, sizeof(what), "%s", reason);
	if (close_code == CLOSE_AUTH_FAILED || close_code == CLOSE_DEREGISTERED ||
	    close_code == CLOSE_PROTOCOL_UNSUPPORTED || close_code == CLOSE_REPLACED)
		log_error("Hub link: %s; retrying in %.1f s", what, retry_ms / 1000.0);
	else if (was_ready)
		log_warning("Hub link lost: %s; retrying in %.1f s", what, retry_ms / 1000.0);
	else
		log_info("Hub %s not reachable: %s; retrying in %.1f s", d->id.connect_url, what,
			 retry_ms / 1000.0);
	daemon_state_disconnected(d->store, what);
	service_status_unreachable(&d->status, what, retry_ms, task_manager_active_count(d->tm),
				   time(NULL));
}

static void tick(lws_sorted_usec_list_t *sul);

/* lws_cancel_service (a signal: the loop condition sees stop_requested) or the task manager's
 * descriptor (an image ready, a container started, a monitor ended): the task manager has
 * work now, not at the next tick. The tick reads the descriptor empty. */
static void on_wakeup(void *userdata)
{
	struct daemon *d = userdata;
	if (d->link)
		lws_sul_schedule(hub_link_context(d->link), 0, &d->tick_sul, tick, 1);
}

/* Only when the loop cannot watch the task manager's descriptor: image workers wake it from
 * their threads. */
static void wake_loop(void *userdata)
{
	lws_cancel_service(userdata);
}

/* After the first tick, which decided the restarts of what the reboot killed: this boot's id
 * commits with their records, so that an agent killed before that commit finds the reboot
 * again, and one killed after it makes the restarts once (task_restart.c). */
static void record_boot(struct daemon *d)
{
	if (!d->boot_unrecorded)
		return;
	d->boot_unrecorded = false;
	struct error err = { 0 };
	if (boot_check_record(d->store, &d->boot, &err) < 0)
		log_warning("Cannot record this boot's id: %s; the next start may take it for a "
			    "reboot", err.message);
}

static void tick(lws_sorted_usec_list_t *sul)
{
	struct daemon *d = lws_container_of(sul, struct daemon, tick_sul);
	/* A container starts only for a task whose assignment is on disk. */
	daemon_commit_and_send(d);
	task_manager_tick(d->tm);
	record_boot(d);
	service_status_tasks(&d->status, task_manager_active_count(d->tm));
	test_hook_block_loop(d->state_dir);
	struct error err = { 0 };
	if (crash_point_arm(d->state_dir, &err) < 0)
		log_error("%s", err.message);
	int next = task_manager_next_deadline_ms(d->tm);
	int delay = next >= 0 && next < TICK_INTERVAL_MS ? next : TICK_INTERVAL_MS;
	lws_sul_schedule(hub_link_context(d->link), 0, &d->tick_sul, tick,
			 (lws_usec_t)(delay > 0 ? delay : 1) * LWS_US_PER_MS);
}

static char *metadata_uri(void *userdata, const char *task_arn, const char *container_name)
{
	struct daemon *d = userdata;
	return daemon_api_metadata_uri(&d->api, task_arn, container_name);
}

/* Written in this turn's transaction, committed before the tick that spawns the restart. */
static int save_restart(void *userdata, const char *task_arn, const char *container,
			const struct restart_record *rec)
{
	struct daemon *d = userdata;
	return restart_record_save(d->store, task_arn, container, rec);
}

static int load_restart(void *userdata, const char *task_arn, const char *container,
			struct restart_record *ret)
{
	struct daemon *d = userdata;
	return restart_record_load(d->store, task_arn, container, ret);
}

static int resume_task(void *userdata, const char *task_arn, const char *definition_json,
		       const char *status, const char *last_state_json)
{
	(void)last_state_json;
	struct daemon *d = userdata;
	if (status && !strcmp(status, "STOPPED"))
		return 0;
	cJSON *def = cJSON_Parse(definition_json);
	struct error err = { 0 };
	if (!def) {
		log_error("Stored definition of %s is not JSON; not resumed", task_arn);
		return 0;
	}
	log_info("Resuming task %s (last reported %s)", task_arn, status ? status : "nothing");
	enum task_status last = status && !strcmp(status, "RUNNING") ? TASK_RUNNING : TASK_PENDING;
	if (task_manager_resume_task(d->tm, task_arn, def, last, &err) < 0)
		log_warning("Task %s cannot resume: %s", task_arn, err.message);
	cJSON_Delete(def);
	return 0;
}

/* A stop the hub asked for and the agent acknowledged before it ended holds: the resumed task
 * stops again (its stop timeout counts from now). */
static int resume_stop(void *userdata, const char *task_arn, const char *reason)
{
	struct daemon *d = userdata;
	if (task_manager_stop_task(d->tm, task_arn, reason) == 0)
		log_info("Task %s stopping again: %s", task_arn, reason);
	return 0;
}

/* Two daemons on one state directory would each adopt the other's tasks and, sharing one node
 * identity, keep replacing each other's hub connection. */
static int lock_state_dir(const char *state_dir, int *ret_fd, struct error *err)
{
	_cleanup_free_ char *path = NULL;
	if (asprintf(&path, "%s/agent.lock", state_dir) < 0)
		return error_set(err, ENOMEM, "out of memory");
	pid_t holder = 0;
	int r = pid_lock_take(path, ret_fd, &holder, err);
	if (r == -EBUSY)
		return error_set(err, EBUSY, "another 'tether run' (pid %ld) is using %s",
				 (long)holder, state_dir);
	return r;
}

/* A reboot since the last start: the containers it killed start again (or, with
 * --restore-after-reboot false, are reported stopped). An id that cannot be read is no
 * reboot: containers found lost are reported stopped, as before. */
static void check_boot(struct daemon *d, const struct run_options *o)
{
	struct error err = { 0 };
	if (boot_check(d->store, o->boot_id_file, &d->boot, &err) < 0) {
		log_warning("%s: containers found without their monitor are reported stopped",
			    err.message);
		return;
	}
	/* Written when it changed only: a start within the same boot writes nothing but the
	 * removal of a shutdown noted that did not end in a reboot (it was cancelled). */
	d->boot_unrecorded = d->boot.rebooted || !d->boot.known || d->boot.stopping_noted;
	if (!d->boot.rebooted)
		return;
	if (o->restore_after_reboot)
		log_info("The host rebooted since the agent last ran (boot id %s): the containers "
			 "it killed start again", d->boot.now);
	else
		log_info("The host rebooted since the agent last ran (boot id %s): the containers "
			 "it killed are reported stopped (--restore-after-reboot false)", d->boot.now);
}

static int daemon_setup(struct daemon *d, const struct run_options *o, const char *monitor,
			struct error *err)
{
	d->state_dir = o->state_dir;
	d->image_store_budget = o->image_store_budget;
	node_health_init(&d->health, time(NULL));
	d->metrics_interval_s = o->metrics_interval_s;
	int m = node_metrics_init(&d->metrics, METRICS_BUFFER_MAX);
	if (m < 0)
		return error_set(err, -m, "metrics buffer");
	int r = identity_load(o->state_dir, &d->id, err);
	if (r < 0)
		return r;
	r = lock_state_dir(o->state_dir, &d->lock_fd, err);
	if (r < 0)
		return r;
	r = crash_point_arm(o->state_dir, err);
	if (r < 0)
		return r;
	r = auth_load_private_key(d->id.private_key_pem, &d->key, err);
	if (r < 0)
		return error_wrap(err, "node key");
	r = hostinfo_collect(&d->host, err);
	if (r < 0)
		return error_wrap(err, "host information");

	r = daemon_open_store(o->state_dir, &d->store, err);
	if (r < 0)
		return r;
	store_defer_commits(d->store);
	check_boot(d, o);
	daemon_api_init(&d->api, &d->id, o->state_dir, d->store);
	d->handler = (struct frame_handler){ .store = d->store, .ops = &handler_ops, .userdata = d };

	struct task_manager_config tmc = {
		.state_dir = o->state_dir,
		.monitor_path = monitor,
		.allow_no_limits = o->allow_no_limits,
		.default_pids_max = o->pids_max,
		.registry = o->registry,
		.image_pull_behavior = o->image_pull_behavior,
		.image_store_budget = o->image_store_budget,
		.image_cleanup_age_s = o->image_cleanup_age_s,
		.metadata_uri = metadata_uri,
		.save_restart = save_restart,
		.load_restart = load_restart,
		.restart_period_percent = o->restart_period_percent,
		.restore_after_reboot = d->boot.rebooted && o->restore_after_reboot,
		.host_stopping_at = d->boot.rebooted ? d->boot.host_stopping_at : 0,
		.on_state = on_task_state,
		.userdata = d,
	};
	r = task_manager_new(&tmc, &d->tm, err);
	if (r < 0)
		return error_wrap(err, "task manager");
	d->api.tm = d->tm;
	d->api.health = &d->health;
	d->api.node_metrics = &d->metrics;

	struct hub_link_config lc = {
		.connect_url = d->id.connect_url,
		.ca_file = o->ca_file ? o->ca_file : d->id.ca_file,
		.callbacks = { on_established, on_message, on_closed, on_wakeup },
		.userdata = d,
	};
	return hub_link_new(&lc, &d->link, err);
}

static void daemon_teardown(struct daemon *d)
{
	signal_context = NULL;
	/* The link goes first: its context owns the timers that call into the others. */
	if (d->tm)
		task_manager_set_wake(d->tm, NULL, NULL);
	d->store_retry_at_ms = 0; /* a last try for what waits, whenever the one before was */
	if (d->store)
		daemon_commit_and_send(d);
	if (state_backlog_count(&d->backlog))
		log_error("%zu task state change(s) could not be written to %s and end with the "
			  "agent; the next start tells them again from the containers' folders "
			  "(each task resumes from its last state on disk)",
			  state_backlog_count(&d->backlog), store_path(d->store));
	release_starts(d, false);
	state_backlog_release(&d->backlog);
	hub_link_free(d->link);
	d->link = NULL;
	daemon_api_release(&d->api);
	frame_handler_reset(&d->handler);
	task_manager_free(d->tm);
	node_metrics_release(&d->metrics);
	store_close(d->store);
	EVP_PKEY_free(d->key);
	hostinfo_release(&d->host);
	identity_release(&d->id);
	closep(&d->lock_fd);
}

static void install_signals(void)
{
	struct sigaction sa = { .sa_handler = on_stop_signal };
	sigemptyset(&sa.sa_mask);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);
}

static void lws_log_to_ours(int level, const char *line)
{
	size_t len = strcspn(line, "\n");
	log_at(level == LLL_ERR ? LOG_ERR : LOG_WARNING, "websocket: %.*s", (int)len, line);
}

/* Limits are part of what a task definition promises; without the controllers they need the
 * agent cannot keep that promise, so it does not start unless told to run without limits.
 * `tether check` decides with the same function. */
static int check_cgroup_controllers(bool allow_no_limits)
{
	struct host_item limits;
	_cleanup_free_ char *available = NULL, *missing = NULL;
	if (host_check_limits(&limits, &available, &missing) < 0) {
		log_error("Out of memory reading the cgroup v2 controllers");
		return -1;
	}
	if (limits.ok)
		return 0;
	if (allow_no_limits) {
		log_warning("%s: tasks that ask for limits run without them (--allow-no-limits)",
			    limits.detail);
		return 0;
	}
	log_error("%s. Fix: %s.", limits.detail, limits.fix);
	return -1;
}

/* Every container's root file system is an overlay with its upper dir in the state dir, and
 * the lock, the database and the containers' folders are written there: a state dir that
 * cannot hold them is refused here, in one sentence, rather than by each write later. */
static int check_state_dir(const char *state_dir)
{
	struct error err = { 0 };
	if (state_dir_refuse_unusable(state_dir, &err) == 0 &&
	    state_dir_refuse_read_only(state_dir, &err) == 0)
		return 0;
	log_error("Refusing to start: %s", err.message);
	return -1;
}

static int run_daemon(const struct run_options *o)
{
	if (check_state_dir(o->state_dir) < 0 || daemon_cgroups_setup(o->cgroup_driver) < 0 ||
	    check_cgroup_controllers(o->allow_no_limits) < 0)
		return 1;
	_cleanup_free_ char *default_monitor = o->monitor ? NULL : monitor_default_path();
	const char *monitor = o->monitor ? o->monitor : default_monitor;
	if (!monitor) {
		log_error("Cannot find tether-monitor beside this binary; give --monitor PATH");
		return 1;
	}
	lws_set_log_level(LLL_ERR | LLL_WARN, lws_log_to_ours);

	struct daemon d = { .lock_fd = -1 };
	d.held_tail = &d.held_head;
	d.starts_tail = &d.starts_head;
	state_backlog_init(&d.backlog);
	struct error err = { 0 };
	if (daemon_setup(&d, o, monitor, &err) < 0) {
		log_error("%s", err.message);
		daemon_teardown(&d);
		return 1;
	}
	struct lws_context *ctx = hub_link_context(d.link);
	signal_context = ctx;
	install_signals();
	if (hub_link_watch_fd(d.link, task_manager_fd(d.tm), &err) < 0) {
		log_warning("%s: monitors' ends and starts wait for the next tick", err.message);
		task_manager_set_wake(d.tm, wake_loop, ctx);
	}

	daemon_api_start(&d.api, ctx, o);
	if (store_tasks_foreach(d.store, resume_task, &d, &err) < 0 ||
	    store_stops_foreach(d.store, resume_stop, &d, &err) < 0)
		log_error("Cannot read stored tasks: %s", err.message);
	daemon_state_disconnected(d.store, "starting");
	if (service_watchdog_start(&d.watchdog, ctx, &err) < 0)
		log_warning("Service manager watchdog not kept: %s", err.message);
	lws_sul_schedule(ctx, 0, &d.tick_sul, tick, TICK_INTERVAL_MS * LWS_US_PER_MS);
	daemon_reports_start(&d, ctx);
	hub_link_connect_now(d.link);

	log_info("tether %s running as %s, hub %s", TETHER_VERSION, d.id.node_id,
		 d.id.connect_url);
	/* READY=1 waits for the first connection or the first failed attempt (service_status.h). */
	service_status_init(&d.status, d.id.connect_url, time(NULL));
	service_notifyf("STATUS=Connecting to %s", d.id.connect_url);
	while (!stop_requested) {
		if (lws_service(ctx, 0) < 0)
			break;
		daemon_commit_and_send(&d);
	}
	service_notify("STOPPING=1\nSTATUS=Stopping; tasks keep running");
	service_watchdog_stop(&d.watchdog);
	log_info("Stopping; tasks keep running");
	if (stop_requested && o->restore_after_reboot)
		boot_check_note_shutdown(d.store);
	daemon_state_disconnected(d.store, "agent stopped");
	daemon_api_stop(&d.api);
	daemon_teardown(&d);
	return 0;
}

int cmd_run(int argc, char **argv)
{
	struct run_options o;
	struct error err = { 0 };
	int r = run_options_parse(&o, environ, argc, argv, &err);
	if (r == 1) {
		run_options_usage(stdout);
		return 0;
	}
	if (r < 0) {
		log_error("tether run: %s", err.message);
		run_options_usage(stderr);
		return 2;
	}
	return run_daemon(&o);
}
