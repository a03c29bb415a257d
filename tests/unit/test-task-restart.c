/* restartPolicy: the field as registration and the agent read it (protocol/taskdef_restart.h),
 * the decision after each end (agent/tasks/restart_policy.h), and the task manager applying it
 * to containers that ended while no agent ran, on fake state folders (no container runs, no
 * monitor is spawned: every check looks before the tick that would spawn one). */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "agent/tasks/restart_policy.h"
#include "agent/tasks/task_manager.h"
#include "agent/tasks/task_view.h"
#include "common/cleanup.h"
#include "common/fileio.h"
#include "container/monitor_lock.h"
#include "container/state_folder.h"
#include "protocol/taskdef.h"
#include "protocol/taskdef_register.h"
#include "tests/unit/test.h"

/* --- the field */

/* A definition whose one container has the restartPolicy POLICY, parsed; NULL with *err set
 * when it is refused. */
static struct taskdef *parse_policy_or(const char *policy, struct error *err)
{
	char text[4096];
	snprintf(text, sizeof(text), "{\"family\": \"f\", \"containerDefinitions\": [{\"name\": "
		 "\"a\", \"image\": \"i\", \"restartPolicy\": %s}]}", policy);
	struct taskdef *td = NULL;
	return taskdef_parse(text, strlen(text), &td, err) == 0 ? td : NULL;
}

static struct taskdef *parse_policy(const char *policy)
{
	return parse_policy_or(policy, NULL);
}

/* The refusal of POLICY (static), or NULL when it parsed. */
static const char *policy_error(const char *policy)
{
	static struct error err;
	error_clear(&err);
	struct taskdef *td = parse_policy_or(policy, &err);
	bool parsed = td != NULL;
	taskdef_free(td);
	return parsed ? NULL : err.message;
}

TEST(restart_policy_is_read_with_ecs_defaults)
{
	_cleanup_(taskdef_freep) struct taskdef *td = parse_policy("{\"enabled\": true}");
	ASSERT_TRUE(td);
	const struct taskdef_restart_policy *p = &td->containers[0].restart_policy;
	ASSERT_TRUE(p->enabled);
	ASSERT_INT_EQ(p->n_ignored_exit_codes, 0);
	ASSERT_INT_EQ(p->attempt_period, 300);

	_cleanup_(taskdef_freep) struct taskdef *full = parse_policy(
		"{\"enabled\": true, \"ignoredExitCodes\": [0, 143, 255], \"restartAttemptPeriod\": 60}");
	ASSERT_TRUE(full);
	p = &full->containers[0].restart_policy;
	ASSERT_INT_EQ(p->n_ignored_exit_codes, 3);
	ASSERT_TRUE(taskdef_restart_ignores(p, 143));
	ASSERT_TRUE(!taskdef_restart_ignores(p, 1));
	ASSERT_INT_EQ(p->attempt_period, 60);

	_cleanup_(taskdef_freep) struct taskdef *off = parse_policy("{\"enabled\": false}");
	ASSERT_TRUE(off && !off->containers[0].restart_policy.enabled);
	/* Without the field: no policy. */
	_cleanup_(taskdef_freep) struct taskdef *none = NULL;
	const char *plain = "{\"family\": \"f\", \"containerDefinitions\": [{\"name\": \"a\", "
			    "\"image\": \"i\"}]}";
	ASSERT_INT_EQ(taskdef_parse(plain, strlen(plain), &none, NULL), 0);
	ASSERT_TRUE(!none->containers[0].restart_policy.enabled);
}

TEST(restart_policy_bad_values_are_named)
{
	ASSERT_STR_EQ(policy_error("{}"), "containerDefinitions[0].restartPolicy.enabled: required");
	ASSERT_STR_EQ(policy_error("true"),
		      "containerDefinitions[0].restartPolicy: expected an object");
	ASSERT_STR_EQ(policy_error("{\"enabled\": \"yes\"}"),
		      "containerDefinitions[0].restartPolicy.enabled: expected true or false");
	ASSERT_STR_EQ(policy_error("{\"enabled\": true, \"restartAttemptPeriod\": 59}"),
		      "containerDefinitions[0].restartPolicy.restartAttemptPeriod: 59 is outside "
		      "60..1800");
	ASSERT_STR_EQ(policy_error("{\"enabled\": true, \"restartAttemptPeriod\": 1801}"),
		      "containerDefinitions[0].restartPolicy.restartAttemptPeriod: 1801 is outside "
		      "60..1800");
	ASSERT_CONTAINS(policy_error("{\"enabled\": true, \"restartAttemptPeriod\": 90.5}"),
			"restartAttemptPeriod: expected a non-negative integer");
	ASSERT_STR_EQ(policy_error("{\"enabled\": true, \"ignoredExitCodes\": 1}"),
		      "containerDefinitions[0].restartPolicy.ignoredExitCodes: expected an array "
		      "of integers");
	ASSERT_STR_EQ(policy_error("{\"enabled\": true, \"ignoredExitCodes\": [0, 256]}"),
		      "containerDefinitions[0].restartPolicy.ignoredExitCodes[1]: 256 is outside "
		      "0..255");
	ASSERT_CONTAINS(policy_error("{\"enabled\": true, \"ignoredExitCodes\": [-1]}"),
			"ignoredExitCodes[0]: expected a non-negative integer");
	ASSERT_CONTAINS(policy_error("{\"enabled\": true, \"ignoredExitCodes\": [\"1\"]}"),
			"ignoredExitCodes[0]: expected a non-negative integer");
	char many[1024] = "{\"enabled\": true, \"ignoredExitCodes\": [0";
	for (int i = 1; i <= TASKDEF_RESTART_MAX_IGNORED; i++)
		snprintf(many + strlen(many), sizeof(many) - strlen(many), ", %d", i);
	strcat(many, "]}");
	ASSERT_STR_EQ(policy_error(many), "containerDefinitions[0].restartPolicy.ignoredExitCodes: "
		      "more than 50 exit codes");
	ASSERT_CONTAINS(policy_error("{\"enabled\": true, \"maximumRetryCount\": 3}"),
			"containerDefinitions[0].restartPolicy.maximumRetryCount: field not "
			"supported");
}

TEST(restart_policy_is_taken_at_registration)
{
	cJSON *json = cJSON_Parse("{\"family\": \"f\", \"containerDefinitions\": [{\"name\": \"a\", "
				  "\"image\": \"i\", \"restartPolicy\": {\"enabled\": true, "
				  "\"ignoredExitCodes\": [0], \"restartAttemptPeriod\": 120}}]}");
	ASSERT_TRUE(json);
	struct taskdef *td = NULL;
	struct error err = { 0 };
	int r = taskdef_from_register_json(json, &td, &err);
	if (r < 0)
		test_fail_at(__FILE__, __LINE__, "%s", err.message);
	ASSERT_INT_EQ(td->containers[0].restart_policy.attempt_period, 120);
	/* Kept in what the hub stores (only fields asking for nothing are removed). */
	ASSERT_TRUE(cJSON_GetObjectItemCaseSensitive(
		cJSON_GetArrayItem(cJSON_GetObjectItemCaseSensitive(json, "containerDefinitions"), 0),
		"restartPolicy"));
	taskdef_free(td);
	cJSON_Delete(json);
}

/* --- the decision */

static const struct taskdef_restart_policy enabled = {
	.enabled = true, .ignored_exit_codes = { 0, 143 }, .n_ignored_exit_codes = 2,
	.attempt_period = 60,
};

static struct restart_facts ended(int code, double ran_for)
{
	return (struct restart_facts){ .has_exit_code = true, .exit_code = code,
				       .started_at = 1000000.0, .now = 1000000.0 + ran_for };
}

TEST(restart_decision_follows_ecs_rules)
{
	struct restart_record none = { 0 };
	struct restart_facts f = ended(1, 61);
	ASSERT_INT_EQ(restart_decide(&enabled, &none, &f, 100), RESTART);
	struct taskdef_restart_policy off = enabled;
	off.enabled = false;
	ASSERT_INT_EQ(restart_decide(&off, &none, &f, 100), RESTART_NOT_ENABLED);
	f.desired_stopped = true;
	ASSERT_INT_EQ(restart_decide(&enabled, &none, &f, 100), RESTART_DESIRED_STOPPED);
	f = ended(1, 61);
	f.has_exit_code = false;
	ASSERT_INT_EQ(restart_decide(&enabled, &none, &f, 100), RESTART_EXIT_UNKNOWN);
	f = ended(143, 61);
	ASSERT_INT_EQ(restart_decide(&enabled, &none, &f, 100), RESTART_EXIT_IGNORED);
	f = ended(0, 3600);
	ASSERT_INT_EQ(restart_decide(&enabled, &none, &f, 100), RESTART_EXIT_IGNORED);
	/* OOM kills and signals are exit codes like any other. */
	f = ended(137, 61);
	ASSERT_INT_EQ(restart_decide(&enabled, &none, &f, 100), RESTART);
	ASSERT_TRUE(restart_verdict_reason(RESTART) == NULL);
	ASSERT_CONTAINS(restart_verdict_reason(RESTART_EXIT_IGNORED), "ignoredExitCodes");
}

TEST(restart_period_counts_from_the_start_then_from_the_last_restart)
{
	struct restart_record none = { 0 };
	struct restart_facts f = ended(1, 59.9);
	ASSERT_INT_EQ(restart_decide(&enabled, &none, &f, 100), RESTART_TOO_SOON);
	f = ended(1, 60);
	ASSERT_INT_EQ(restart_decide(&enabled, &none, &f, 100), RESTART);
	/* Restarted once: the period counts from that restart, not from the first start. */
	struct restart_record once = { 0 };
	restart_record_note(&once, f.now);
	ASSERT_INT_EQ(once.count, 1);
	struct restart_facts again = { .has_exit_code = true, .exit_code = 1,
				       .started_at = f.now + 0.1, .now = f.now + 30 };
	ASSERT_INT_EQ(restart_decide(&enabled, &once, &again, 100), RESTART_TOO_SOON);
	again.now = f.now + 60;
	ASSERT_INT_EQ(restart_decide(&enabled, &once, &again, 100), RESTART);
	/* A start of unknown time, or a wall clock set back, is too soon. */
	struct restart_facts unknown = ended(1, 3600);
	unknown.started_at = 0;
	ASSERT_INT_EQ(restart_decide(&enabled, &none, &unknown, 100), RESTART_TOO_SOON);
	struct restart_facts back = ended(1, -3600);
	ASSERT_INT_EQ(restart_decide(&enabled, &none, &back, 100), RESTART_TOO_SOON);
}

TEST(restart_period_is_scaled_by_the_test_knob)
{
	ASSERT_TRUE(restart_period_seconds(&enabled, 100) == 60.0);
	ASSERT_TRUE(restart_period_seconds(&enabled, 0) == 60.0);
	ASSERT_TRUE(restart_period_seconds(&enabled, 5) == 3.0);
	struct restart_record none = { 0 };
	struct restart_facts f = ended(1, 3.5);
	ASSERT_INT_EQ(restart_decide(&enabled, &none, &f, 100), RESTART_TOO_SOON);
	ASSERT_INT_EQ(restart_decide(&enabled, &none, &f, 5), RESTART);
	f = ended(1, 2.5);
	ASSERT_INT_EQ(restart_decide(&enabled, &none, &f, 5), RESTART_TOO_SOON);
}

/* --- the task manager, after an agent restart */

struct seen {
	int reports;
	enum task_status task_status;
	char stop_code[64];
	enum task_status status[2];
	bool has_restart_policy[2];
	uint32_t restart_count[2];
	bool has_exit_code[2];
	/* The record the caller keeps, as the daemon keeps it in state.db. */
	bool kept;
	struct restart_record record;
	int saves;
};

static void on_state(void *userdata, const struct task_report *r)
{
	struct seen *s = userdata;
	s->reports++;
	s->task_status = r->status;
	snprintf(s->stop_code, sizeof(s->stop_code), "%s", r->stop_code ? r->stop_code : "");
	for (size_t i = 0; i < r->n_containers && i < 2; i++) {
		s->status[i] = r->containers[i].status;
		s->has_restart_policy[i] = r->containers[i].has_restart_policy;
		s->restart_count[i] = r->containers[i].restart_count;
		s->has_exit_code[i] = r->containers[i].has_exit_code;
	}
}

static int save_restart(void *userdata, const char *task_arn, const char *container,
			const struct restart_record *rec)
{
	(void)task_arn;
	struct seen *s = userdata;
	if (strcmp(container, "a") != 0)
		return -EINVAL;
	s->kept = true;
	s->record = *rec;
	s->saves++;
	return 0;
}

static int load_restart(void *userdata, const char *task_arn, const char *container,
			struct restart_record *ret)
{
	(void)task_arn;
	struct seen *s = userdata;
	if (!s->kept || strcmp(container, "a") != 0)
		return 0;
	*ret = s->record;
	return 1;
}

static struct task_manager *manager(struct seen *s)
{
	struct task_manager_config cfg = {
		.state_dir = test_tmpdir(), .monitor_path = "/nonexistent/tether-monitor",
		.save_restart = save_restart, .load_restart = load_restart,
		.on_state = on_state, .userdata = s,
	};
	struct task_manager *tm = NULL;
	return task_manager_new(&cfg, &tm, NULL) == 0 ? tm : NULL;
}

static int put(const char *dir, const char *file, const char *text)
{
	char path[1024];
	snprintf(path, sizeof(path), "%s/%s", dir, file);
	return write_file_atomic(path, text, strlen(text), 0644);
}

/* Container "a" of TASK ran AGO seconds ago under monitor 4343 and exited with CODE while no
 * agent ran. */
static char *exited_folder(const char *task, double ago, int code)
{
	char *dir = NULL, text[128];
	int lock = -1;
	if (asprintf(&dir, "%s/tasks/%s/a", test_tmpdir(), task) < 0 || mkdir_parents(dir, 0700) < 0 ||
	    monitor_lock_take(dir, &lock, NULL) < 0)
		return NULL;
	close(lock);
	snprintf(text, sizeof(text), "{\"exit_code\":%d,\"signal\":0,\"oom\":false}", code);
	if (put(dir, CONTAINER_PID_FILE, "4242\n") < 0 || put(dir, CONTAINER_MONITOR_PID_FILE, "4343\n") < 0 ||
	    put(dir, CONTAINER_EXIT_FILE, text) < 0)
		return NULL;
	char path[1024];
	snprintf(path, sizeof(path), "%s/%s", dir, CONTAINER_PID_FILE);
	struct timespec now;
	clock_gettime(CLOCK_REALTIME, &now);
	now.tv_sec -= (time_t)ago;
	struct timespec times[2] = { now, now };
	if (utimensat(AT_FDCWD, path, times, 0) < 0)
		return NULL;
	return dir;
}

static double wall_now(void)
{
	struct timespec now;
	clock_gettime(CLOCK_REALTIME, &now);
	return (double)now.tv_sec + (double)now.tv_nsec / 1e9;
}

/* Takes TASK back as last reported RUNNING, with one container "a" (restartPolicy POLICY, none
 * when NULL) and, when SIDECAR, an essential "b" without one that ended while away too. */
static void resume(struct task_manager *tm, const char *task, const char *policy, bool sidecar)
{
	char arn[128], text[1024];
	snprintf(arn, sizeof(arn), "arn:x:task/c/%s", task);
	snprintf(text, sizeof(text), "{\"family\":\"f\",\"containerDefinitions\":[{\"name\":\"a\","
		 "\"image\":\"oci:/nonexistent\",\"essential\":true%s%s}%s]}",
		 policy ? ",\"restartPolicy\":" : "", policy ? policy : "",
		 sidecar ? ",{\"name\":\"b\",\"image\":\"oci:/nonexistent\",\"essential\":true}" : "");
	cJSON *def = cJSON_Parse(text);
	(void)task_manager_resume_task(tm, arn, def, TASK_RUNNING, NULL);
	cJSON_Delete(def);
}

/* TASK taken back by a new task manager that keeps its records in S, and ticked once: what an
 * agent decides first after its restart (the tick that would spawn a monitor is not run). */
static void take_back(struct seen *s, const char *task, const char *policy, bool sidecar)
{
	struct task_manager *tm = manager(s);
	ASSERT_TRUE(tm);
	resume(tm, task, policy, sidecar);
	task_manager_tick(tm);
	task_manager_free(tm);
}

/* The end was an ordinary exit: the task stopped for it, with its exit code, and RESTARTS
 * restarts made before. */
static void assert_ordinary_exit(const struct seen *s, uint32_t restarts)
{
	ASSERT_INT_EQ(s->task_status, TASK_STOPPED);
	ASSERT_STR_EQ(s->stop_code, "EssentialContainerExited");
	ASSERT_INT_EQ(s->restart_count[0], restarts);
	ASSERT_TRUE(s->has_exit_code[0]);
}

/* A task_manager_foreach_view FN: its container is between two starts, restarted once. */
static int being_restarted(void *userdata, const struct task_view *v)
{
	*(bool *)userdata = !strcmp(v->containers[0].known_status, "RUNNING") &&
			    v->containers[0].restart_count == 1 && v->containers[0].pid == 0;
	return 0;
}

#define POLICY "{\"enabled\": true, \"ignoredExitCodes\": [0], \"restartAttemptPeriod\": 60}"

TEST(exit_while_away_is_restarted_and_counted_once)
{
	char *dir = exited_folder("away", 120, 1);
	ASSERT_TRUE(dir);
	struct seen s = { 0 };
	double before = wall_now();
	take_back(&s, "away", POLICY, false);
	ASSERT_INT_EQ(s.saves, 1);
	ASSERT_INT_EQ(s.record.count, 1);
	ASSERT_TRUE(s.record.last_restart_at >= before);
	/* The monitor of the start that ended: the restart is owed until a new one is spawned. */
	ASSERT_INT_EQ(s.record.owed_after_monitor, 4343);
	/* Not an exit: RUNNING, the count reported, no exit code. */
	ASSERT_INT_EQ(s.task_status, TASK_RUNNING);
	ASSERT_INT_EQ(s.status[0], TASK_RUNNING);
	ASSERT_TRUE(s.has_restart_policy[0]);
	ASSERT_INT_EQ(s.restart_count[0], 1);
	ASSERT_TRUE(!s.has_exit_code[0]);

	/* The agent was killed after the record was kept and before the monitor was spawned:
	 * taken back again, the restart is made without being counted twice. */
	int saves = s.saves;
	struct task_manager *tm = manager(&s);
	resume(tm, "away", POLICY, false);
	ASSERT_INT_EQ(s.saves, saves);
	ASSERT_INT_EQ(s.record.count, 1);
	bool restarting = false;
	task_manager_foreach_view(tm, being_restarted, &restarting);
	ASSERT_TRUE(restarting);
	task_manager_free(tm);
	free(dir);
}

TEST(restart_recorded_then_new_monitor_ended_is_not_restarted_again)
{
	/* The restart's monitor (4444) was spawned and its container ended at once, all before
	 * the agent could clear what it owed: that end is new, and too soon to restart. */
	char *dir = exited_folder("quick", 0, 1);
	ASSERT_TRUE(dir);
	ASSERT_INT_EQ(put(dir, CONTAINER_MONITOR_PID_FILE, "4444\n"), 0);
	struct seen s = { .kept = true, .record = { .count = 1, .last_restart_at = wall_now() - 1,
						    .owed_after_monitor = 4343 } };
	take_back(&s, "quick", POLICY, false);
	ASSERT_INT_EQ(s.record.owed_after_monitor, 0);
	ASSERT_INT_EQ(s.record.count, 1);
	assert_ordinary_exit(&s, 1);
	free(dir);
}

TEST(exit_before_the_period_or_ignored_is_an_ordinary_exit)
{
	struct {
		const char *task;
		double ago;
		int code;
	} cases[] = { { "early", 5, 1 }, { "ignored", 120, 0 } };
	for (size_t i = 0; i < ELEMENTSOF(cases); i++) {
		char *dir = exited_folder(cases[i].task, cases[i].ago, cases[i].code);
		ASSERT_TRUE(dir);
		struct seen s = { 0 };
		take_back(&s, cases[i].task, POLICY, false);
		ASSERT_INT_EQ(s.saves, 0);
		assert_ordinary_exit(&s, 0);
		free(dir);
	}
}

TEST(essential_exit_beside_it_stops_the_task_and_nothing_restarts)
{
	char *dir = exited_folder("together", 120, 1);
	ASSERT_TRUE(dir);
	char *b = NULL;
	ASSERT_TRUE(asprintf(&b, "%s/tasks/together/b", test_tmpdir()) > 0);
	ASSERT_INT_EQ(mkdir_parents(b, 0700), 0);
	int lock = -1;
	ASSERT_INT_EQ(monitor_lock_take(b, &lock, NULL), 0);
	close(lock);
	ASSERT_INT_EQ(put(b, CONTAINER_PID_FILE, "4545\n"), 0);
	ASSERT_INT_EQ(put(b, CONTAINER_EXIT_FILE, "{\"exit_code\":0,\"signal\":0,\"oom\":false}"), 0);
	struct seen s = { 0 };
	take_back(&s, "together", POLICY, true);
	ASSERT_INT_EQ(s.saves, 0);
	assert_ordinary_exit(&s, 0);
	free(b);
	free(dir);
}

TEST(task_without_policy_reports_no_restart_count)
{
	char *dir = exited_folder("plain", 120, 1);
	ASSERT_TRUE(dir);
	struct seen s = { 0 };
	take_back(&s, "plain", NULL, false);
	ASSERT_INT_EQ(s.saves, 0);
	ASSERT_TRUE(!s.has_restart_policy[0]);
	assert_ordinary_exit(&s, 0);
	free(dir);
}
