/* The start decision of dependsOn for one dependency (agent/tasks/task_depends.h), as a pure
 * function of what is known of it, the reasons a container gives up with, and the decisions
 * over a whole task whose containers are put in given states (no process runs). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "agent/tasks/task_depends.h"
#include "common/cleanup.h"
#include "tests/unit/test.h"

#define NOW 100000

static const struct depends_fact not_started = { 0 };
static const struct depends_fact running = { .started = true, .started_at_ms = NOW - 500 };
static const struct depends_fact never_ran = { .ended = true };

static struct depends_fact exited(int code)
{
	return (struct depends_fact){ .started = true, .ended = true, .has_exit_code = true,
				      .exit_code = code, .started_at_ms = NOW - 500 };
}

TEST(depends_start_waits_for_the_pid)
{
	ASSERT_INT_EQ(depends_judge(TASKDEF_CONDITION_START, &not_started, NOW), DEPENDS_WAIT);
	ASSERT_INT_EQ(depends_judge(TASKDEF_CONDITION_START, &running, NOW), DEPENDS_MET);
	/* A dependency that ran and ended did start. */
	struct depends_fact e = exited(1);
	ASSERT_INT_EQ(depends_judge(TASKDEF_CONDITION_START, &e, NOW), DEPENDS_MET);
	ASSERT_INT_EQ(depends_judge(TASKDEF_CONDITION_START, &never_ran, NOW), DEPENDS_NEVER);
}

TEST(depends_complete_waits_for_any_exit)
{
	ASSERT_INT_EQ(depends_judge(TASKDEF_CONDITION_COMPLETE, &not_started, NOW), DEPENDS_WAIT);
	ASSERT_INT_EQ(depends_judge(TASKDEF_CONDITION_COMPLETE, &running, NOW), DEPENDS_WAIT);
	struct depends_fact ok = exited(0), failed = exited(7);
	ASSERT_INT_EQ(depends_judge(TASKDEF_CONDITION_COMPLETE, &ok, NOW), DEPENDS_MET);
	ASSERT_INT_EQ(depends_judge(TASKDEF_CONDITION_COMPLETE, &failed, NOW), DEPENDS_MET);
	ASSERT_INT_EQ(depends_judge(TASKDEF_CONDITION_COMPLETE, &never_ran, NOW), DEPENDS_NEVER);
}

TEST(depends_success_needs_exit_zero)
{
	struct depends_fact ok = exited(0), failed = exited(3);
	ASSERT_INT_EQ(depends_judge(TASKDEF_CONDITION_SUCCESS, &running, NOW), DEPENDS_WAIT);
	ASSERT_INT_EQ(depends_judge(TASKDEF_CONDITION_SUCCESS, &ok, NOW), DEPENDS_MET);
	ASSERT_INT_EQ(depends_judge(TASKDEF_CONDITION_SUCCESS, &failed, NOW), DEPENDS_NEVER);
	/* Ended with no exit code known (its monitor was lost): not a success. */
	struct depends_fact lost = { .started = true, .ended = true };
	ASSERT_INT_EQ(depends_judge(TASKDEF_CONDITION_SUCCESS, &lost, NOW), DEPENDS_NEVER);
	ASSERT_INT_EQ(depends_judge(TASKDEF_CONDITION_SUCCESS, &never_ran, NOW), DEPENDS_NEVER);
}

TEST(depends_healthy_reads_the_health)
{
	struct depends_fact d = running;
	ASSERT_INT_EQ(depends_judge(TASKDEF_CONDITION_HEALTHY, &d, NOW), DEPENDS_WAIT);
	d.health = CONTAINER_HEALTH_UNHEALTHY;
	ASSERT_INT_EQ(depends_judge(TASKDEF_CONDITION_HEALTHY, &d, NOW), DEPENDS_WAIT);
	d.health = CONTAINER_HEALTH_HEALTHY;
	ASSERT_INT_EQ(depends_judge(TASKDEF_CONDITION_HEALTHY, &d, NOW), DEPENDS_MET);
	/* Healthy is of a running container: once it exited it never will be. */
	struct depends_fact e = exited(0);
	e.health = CONTAINER_HEALTH_HEALTHY;
	ASSERT_INT_EQ(depends_judge(TASKDEF_CONDITION_HEALTHY, &e, NOW), DEPENDS_NEVER);
	ASSERT_INT_EQ(depends_judge(TASKDEF_CONDITION_HEALTHY, &never_ran, NOW), DEPENDS_NEVER);
}

TEST(depends_start_timeout_counts_from_the_dependency_start)
{
	struct depends_fact d = running;
	d.start_timeout_s = 2;
	d.started_at_ms = NOW - 1999;
	ASSERT_INT_EQ(depends_judge(TASKDEF_CONDITION_COMPLETE, &d, NOW), DEPENDS_WAIT);
	d.started_at_ms = NOW - 2000;
	ASSERT_INT_EQ(depends_judge(TASKDEF_CONDITION_COMPLETE, &d, NOW), DEPENDS_TIMED_OUT);
	ASSERT_INT_EQ(depends_judge(TASKDEF_CONDITION_SUCCESS, &d, NOW), DEPENDS_TIMED_OUT);
	ASSERT_INT_EQ(depends_judge(TASKDEF_CONDITION_HEALTHY, &d, NOW), DEPENDS_TIMED_OUT);
	/* START is met by a running dependency, whatever the time. */
	ASSERT_INT_EQ(depends_judge(TASKDEF_CONDITION_START, &d, NOW), DEPENDS_MET);
	/* Met in time is met, even when looked at late. */
	d.health = CONTAINER_HEALTH_HEALTHY;
	ASSERT_INT_EQ(depends_judge(TASKDEF_CONDITION_HEALTHY, &d, NOW), DEPENDS_MET);
	/* Not started yet: its clock has not begun. */
	struct depends_fact waiting = { .start_timeout_s = 2 };
	ASSERT_INT_EQ(depends_judge(TASKDEF_CONDITION_COMPLETE, &waiting, NOW), DEPENDS_WAIT);
	/* Without startTimeout there is no limit. */
	struct depends_fact unlimited = running;
	unlimited.started_at_ms = 0;
	ASSERT_INT_EQ(depends_judge(TASKDEF_CONDITION_COMPLETE, &unlimited, NOW), DEPENDS_WAIT);
}

TEST(depends_reasons_name_dependency_and_condition)
{
	struct depends_fact failed = exited(3);
	_cleanup_free_ char *a = depends_reason("init", TASKDEF_CONDITION_SUCCESS, &failed,
						 DEPENDS_NEVER);
	ASSERT_STR_EQ(a, "CannotStartContainerError: dependsOn init SUCCESS: init exited with code 3 "
			 "(dependency did not exit successfully)");
	struct depends_fact slow = running;
	slow.start_timeout_s = 5;
	_cleanup_free_ char *b = depends_reason("db", TASKDEF_CONDITION_COMPLETE, &slow,
						 DEPENDS_TIMED_OUT);
	ASSERT_STR_EQ(b, "CannotStartContainerError: dependsOn db COMPLETE: db did not reach COMPLETE "
			 "within its startTimeout of 5 s (dependency timed out)");
	_cleanup_free_ char *c = depends_reason("a", TASKDEF_CONDITION_START, &never_ran,
						 DEPENDS_NEVER);
	ASSERT_STR_EQ(c, "CannotStartContainerError: dependsOn a START: a never started (dependency "
			 "will never start)");
	struct depends_fact gone = exited(0);
	_cleanup_free_ char *d = depends_reason("web", TASKDEF_CONDITION_HEALTHY, &gone,
						 DEPENDS_NEVER);
	ASSERT_STR_EQ(d, "CannotStartContainerError: dependsOn web HEALTHY: web exited before it was "
			 "HEALTHY");
}

/* A task of TEXT's definition whose containers are all PULLING; no folder, no process. */
static struct tm_task *task_of(const char *text)
{
	struct tm_task *t = calloc(1, sizeof(*t));
	struct error err = { 0 };
	if (!t || taskdef_parse(text, strlen(text), &t->td, &err) < 0)
		test_fail_at(__FILE__, __LINE__, "%s", err.message);
	t->containers = calloc(t->td->n_containers, sizeof(*t->containers));
	ASSERT_TRUE(t->containers);
	for (size_t i = 0; i < t->td->n_containers; i++) {
		t->containers[i].def = &t->td->containers[i];
		container_handle_init(&t->containers[i].h);
	}
	return t;
}

/* Containers "db" (with DB_FIELDS) and "app", which depends on db with CONDITION. */
static struct tm_task *db_and_app(const char *db_fields, const char *condition)
{
	char text[512];
	snprintf(text, sizeof(text), "{\"family\": \"f\", \"containerDefinitions\": ["
		 "{\"name\": \"db\", \"image\": \"i\"%s}, {\"name\": \"app\", \"image\": \"i\", "
		 "\"dependsOn\": [{\"containerName\": \"db\", \"condition\": \"%s\"}]}]}",
		 db_fields, condition);
	return task_of(text);
}

static void task_release(struct tm_task *t)
{
	for (size_t i = 0; i < t->td->n_containers; i++)
		free(t->containers[i].reason);
	free(t->containers);
	taskdef_free(t->td);
	free(t);
}

/* Container I of T as if its monitor ran it (pid known). */
static void run(struct tm_task *t, size_t i)
{
	container_handle_apply(&t->containers[i].h, CONTAINER_EVENT_SPAWNED);
	container_handle_apply(&t->containers[i].h, CONTAINER_EVENT_PID_SEEN);
	t->containers[i].h.pid = 100 + (pid_t)i;
}

static void end(struct tm_task *t, size_t i, int code)
{
	container_handle_apply(&t->containers[i].h, CONTAINER_EVENT_ENDED);
	t->containers[i].has_exit_code = true;
	t->containers[i].exit_code = code;
}

#define STATE(t, i) ((t)->containers[i].h.state)

TEST(depends_task_verdict_takes_every_dependency)
{
	struct tm_task *t = task_of("{\"family\": \"f\", \"containerDefinitions\": ["
		"{\"name\": \"init\", \"image\": \"i\", \"essential\": false, \"startTimeout\": 2},"
		"{\"name\": \"db\", \"image\": \"i\"},"
		"{\"name\": \"app\", \"image\": \"i\", \"dependsOn\": ["
		" {\"containerName\": \"db\", \"condition\": \"START\"},"
		" {\"containerName\": \"init\", \"condition\": \"SUCCESS\"}]}]}");
	char *reason = NULL;
	ASSERT_INT_EQ(task_depends_verdict(t, 2, NOW, &reason), DEPENDS_WAIT);
	ASSERT_INT_EQ(task_depends_verdict(t, 0, NOW, &reason), DEPENDS_MET); /* none */
	run(t, 1);
	run(t, 0);
	task_depends_note_starts(t, NOW);
	ASSERT_INT_EQ(t->containers[0].started_at_ms, NOW);
	ASSERT_INT_EQ(task_depends_verdict(t, 2, NOW + 1000, &reason), DEPENDS_WAIT);
	/* init's startTimeout passes before it exits: app gives up, naming it. */
	ASSERT_INT_EQ(task_depends_verdict(t, 2, NOW + 2000, &reason), DEPENDS_TIMED_OUT);
	ASSERT_CONTAINS(reason, "dependsOn init SUCCESS: init did not reach SUCCESS within its "
			"startTimeout of 2 s");
	free(reason);
	end(t, 0, 0);
	ASSERT_INT_EQ(task_depends_verdict(t, 2, NOW + 3000, &reason), DEPENDS_MET);
	ASSERT_TRUE(reason == NULL);
	task_release(t);
}

TEST(depends_task_stops_dependents_first)
{
	/* web depends on api, api on db: stopped web, then api, then db. */
	struct tm_task *t = task_of("{\"family\": \"f\", \"containerDefinitions\": ["
		"{\"name\": \"db\", \"image\": \"i\"},"
		"{\"name\": \"api\", \"image\": \"i\", \"dependsOn\": [{\"containerName\": \"db\", \"condition\": \"START\"}]},"
		"{\"name\": \"web\", \"image\": \"i\", \"dependsOn\": [{\"containerName\": \"api\", \"condition\": \"START\"}]},"
		"{\"name\": \"side\", \"image\": \"i\", \"essential\": false}]}");
	for (size_t i = 0; i < 4; i++)
		run(t, i);
	task_depends_stop_ready(t);
	ASSERT_INT_EQ(STATE(t, 0), CONTAINER_RUNNING);
	ASSERT_INT_EQ(STATE(t, 1), CONTAINER_RUNNING);
	ASSERT_INT_EQ(STATE(t, 2), CONTAINER_STOPPING);
	ASSERT_INT_EQ(STATE(t, 3), CONTAINER_STOPPING); /* nobody depends on it */
	task_depends_stop_ready(t); /* nothing ended: nothing more */
	ASSERT_INT_EQ(STATE(t, 1), CONTAINER_RUNNING);
	end(t, 2, 0);
	task_depends_stop_ready(t);
	ASSERT_INT_EQ(STATE(t, 0), CONTAINER_RUNNING);
	ASSERT_INT_EQ(STATE(t, 1), CONTAINER_STOPPING);
	end(t, 1, 0);
	task_depends_stop_ready(t);
	ASSERT_INT_EQ(STATE(t, 0), CONTAINER_STOPPING);
	task_release(t);
}

TEST(depends_task_stop_marks_waiting_containers_at_once)
{
	/* db runs, app waits for it to complete: at a stop app never starts, and db, which
	 * nothing running depends on any more, is stopped in the same pass. */
	struct tm_task *t = db_and_app(", \"essential\": false", "COMPLETE");
	run(t, 0);
	task_depends_stop_ready(t);
	ASSERT_INT_EQ(STATE(t, 1), CONTAINER_NEVER_RAN);
	ASSERT_INT_EQ(STATE(t, 0), CONTAINER_STOPPING);
	task_release(t);
}

TEST(depends_task_healthy_waits_for_the_health_the_checks_set)
{
	/* Registration refuses HEALTHY until healthCheck is read; the condition is set here as a
	 * definition with a healthCheck will carry it. */
	struct tm_task *t = db_and_app("", "START");
	t->td->containers[1].depends_on[0].condition = TASKDEF_CONDITION_HEALTHY;
	char *reason = NULL;
	run(t, 0);
	task_depends_note_starts(t, NOW);
	ASSERT_INT_EQ(task_depends_verdict(t, 1, NOW, &reason), DEPENDS_WAIT);
	t->containers[0].health = CONTAINER_HEALTH_UNHEALTHY;
	ASSERT_INT_EQ(task_depends_verdict(t, 1, NOW, &reason), DEPENDS_WAIT);
	t->containers[0].health = CONTAINER_HEALTH_HEALTHY;
	ASSERT_INT_EQ(task_depends_verdict(t, 1, NOW, &reason), DEPENDS_MET);
	end(t, 0, 0);
	ASSERT_INT_EQ(task_depends_verdict(t, 1, NOW, &reason), DEPENDS_NEVER);
	ASSERT_CONTAINS(reason, "dependsOn db HEALTHY: db exited before it was HEALTHY");
	free(reason);
	task_release(t);
}

TEST(depends_restarted_dependency_has_not_ended)
{
	/* db's restart policy restarts it: for app, waiting on its COMPLETE, db has started and
	 * not ended, between its two starts as while it runs again. */
	struct tm_task *t = db_and_app(", \"essential\": false, \"restartPolicy\": {\"enabled\": true}",
				       "COMPLETE");
	char *reason = NULL;
	run(t, 0);
	end(t, 0, 1);
	container_handle_restart(&t->containers[0].h);
	ASSERT_INT_EQ(STATE(t, 0), CONTAINER_RESTARTING);
	ASSERT_INT_EQ(task_depends_verdict(t, 1, NOW, &reason), DEPENDS_WAIT);
	/* Stopped between two starts: it ends at once, as a container that ran. */
	task_depends_stop_ready(t);
	ASSERT_INT_EQ(STATE(t, 0), CONTAINER_EXITED);
	ASSERT_INT_EQ(task_depends_verdict(t, 1, NOW, &reason), DEPENDS_MET);
	task_release(t);
}
