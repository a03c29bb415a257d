#include <errno.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>

#include "agent/tasks/restart_store.h"
#include "agent/tasks/task_manager.h"
#include "agent/tasks/task_state_frame.h"
#include "agent/tasks/task_stop_all.h"
#include "common/cleanup.h"
#include "common/clock.h"
#include "common/log.h"
#include "protocol/json_value.h"

#define STOP_REASON "Node deregistered"

struct stop_all {
	struct task_manager *tm;
	struct store *store;
	size_t resumed;
};

/* Into the outbox, as the daemon records them: the hub is told how the tasks ended before it
 * is told the node leaves. */
static void record_state(void *userdata, const struct task_report *report)
{
	struct stop_all *sa = userdata;
	uint64_t seq = 0;
	_cleanup_free_ char *text = NULL;
	struct error err = { 0 };
	if (task_state_record(sa->store, report, &seq, &text, &err) < 0)
		log_warning("Cannot record the state of %s: %s", report->task_arn, err.message);
	if (seq && report->status == TASK_STOPPED)
		log_info("Task %s stopped", report->task_arn);
}

/* The restarts counted so far go on being reported; nothing is restarted while stopping. */
static int load_restart(void *userdata, const char *task_arn, const char *container,
			struct restart_record *ret)
{
	struct stop_all *sa = userdata;
	return restart_record_load(sa->store, task_arn, container, ret);
}

static int save_restart(void *userdata, const char *task_arn, const char *container,
			const struct restart_record *rec)
{
	struct stop_all *sa = userdata;
	return restart_record_save(sa->store, task_arn, container, rec);
}

/* Taken back and told to stop at once: a container not yet started is marked stopped rather
 * than started (task_manager_stop_task). */
static int resume_and_stop(void *userdata, const char *task_arn, const char *definition_json,
			   const char *status, const char *last_state_json)
{
	(void)last_state_json;
	struct stop_all *sa = userdata;
	if (status && !strcmp(status, "STOPPED"))
		return 0;
	_cleanup_(cjson_deletep) cJSON *def = cJSON_Parse(definition_json);
	if (!def) {
		log_warning("Stored definition of %s is not JSON; its containers are not looked for",
			    task_arn);
		return 0;
	}
	struct error err = { 0 };
	enum task_status last = status && !strcmp(status, "RUNNING") ? TASK_RUNNING : TASK_PENDING;
	if (task_manager_resume_task(sa->tm, task_arn, def, last, &err) < 0) {
		log_warning("Task %s cannot be taken back: %s", task_arn, err.message);
		return 0;
	}
	sa->resumed++;
	if (task_manager_stop_task(sa->tm, task_arn, STOP_REASON) < 0)
		log_warning("Task %s cannot be stopped", task_arn);
	return 0;
}

int task_stop_all(const char *state_dir, struct store *store, const char *monitor_path,
		  int timeout_ms, struct task_stop_all_result *ret, struct error *err)
{
	/* Only stopping: nothing is started, so no limit can go unenforced. */
	struct task_manager_config tmc = {
		.state_dir = state_dir,
		.monitor_path = monitor_path,
		.allow_no_limits = true,
		.save_restart = save_restart,
		.load_restart = load_restart,
		.on_state = record_state,
	};
	struct stop_all sa = { .store = store };
	tmc.userdata = &sa;
	int r = task_manager_new(&tmc, &sa.tm, err);
	if (r < 0)
		return error_wrap(err, "task manager");
	r = store_tasks_foreach(store, resume_and_stop, &sa, err);
	if (r < 0) {
		task_manager_free(sa.tm);
		return error_wrap(err, "stored tasks");
	}
	int64_t deadline = monotonic_ms() + timeout_ms;
	task_manager_tick(sa.tm);
	while (task_manager_active_count(sa.tm) > 0 && monotonic_ms() < deadline) {
		struct pollfd p = { .fd = task_manager_fd(sa.tm), .events = POLLIN };
		int wait = task_manager_next_deadline_ms(sa.tm);
		(void)poll(&p, 1, wait < 0 || wait > 1000 ? 1000 : wait);
		task_manager_tick(sa.tm);
	}
	size_t remaining = task_manager_active_count(sa.tm);
	*ret = (struct task_stop_all_result){ .stopped = sa.resumed - remaining,
					      .remaining = remaining };
	task_manager_free(sa.tm);
	return 0;
}
