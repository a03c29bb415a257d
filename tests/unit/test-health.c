/* Health checks: the healthCheck field, the decision each result makes, the health record. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "agent/tasks/task_health.h"
#include "agent/tasks/task_state_frame.h"
#include "common/cleanup.h"
#include "container/health_decide.h"
#include "container/health_record.h"
#include "protocol/taskdef.h"
#include "tests/unit/test.h"

static int parse_health(const char *health, struct taskdef **ret, struct error *err)
{
	char text[4096];
	snprintf(text, sizeof(text),
		 "{\"family\": \"f\", \"containerDefinitions\": [{\"name\": \"a\", \"image\": \"i\","
		 " \"healthCheck\": %s}]}", health);
	return taskdef_parse(text, strlen(text), ret, err);
}

static const char *health_error(const char *health)
{
	static struct error err;
	struct taskdef *td = NULL;
	error_clear(&err);
	if (parse_health(health, &td, &err) == 0) {
		taskdef_free(td);
		return NULL;
	}
	return err.message;
}

TEST(health_check_defaults_and_forms)
{
	struct error err = { 0 };
	_cleanup_(taskdef_freep) struct taskdef *td = NULL;
	ASSERT_INT_EQ(parse_health("{\"command\": [\"CMD-SHELL\", \"test -f /ok || exit 1\"]}", &td,
				   &err), 0);
	const struct taskdef_health_check *hc = &td->containers[0].health_check;
	ASSERT_STR_EQ(hc->argv[0], "/bin/sh");
	ASSERT_STR_EQ(hc->argv[1], "-c");
	ASSERT_STR_EQ(hc->argv[2], "test -f /ok || exit 1");
	ASSERT_TRUE(hc->argv[3] == NULL);
	ASSERT_INT_EQ(hc->interval, 30);
	ASSERT_INT_EQ(hc->timeout, 5);
	ASSERT_INT_EQ(hc->retries, 3);
	ASSERT_INT_EQ(hc->start_period, 0);
	taskdef_free(TAKE_PTR(td));
	ASSERT_INT_EQ(parse_health("{\"command\": [\"CMD\", \"/bin/true\", \"x\"], \"interval\": 5,"
				   " \"timeout\": 2, \"retries\": 10, \"startPeriod\": 300}", &td,
				   &err), 0);
	hc = &td->containers[0].health_check;
	ASSERT_STR_EQ(hc->argv[0], "/bin/true");
	ASSERT_STR_EQ(hc->argv[1], "x");
	ASSERT_TRUE(hc->argv[2] == NULL);
	ASSERT_INT_EQ(hc->interval, 5);
	ASSERT_INT_EQ(hc->timeout, 2);
	ASSERT_INT_EQ(hc->retries, 10);
	ASSERT_INT_EQ(hc->start_period, 300);
	taskdef_free(TAKE_PTR(td));
	/* Without healthCheck: no check. */
	const char *plain = "{\"family\": \"f\", \"containerDefinitions\": [{\"name\": \"a\","
			    " \"image\": \"i\"}]}";
	ASSERT_INT_EQ(taskdef_parse(plain, strlen(plain), &td, &err), 0);
	ASSERT_TRUE(td->containers[0].health_check.argv == NULL);
}

TEST(health_check_bad_values_named)
{
	const char *p = "containerDefinitions[0].healthCheck";
	char want[256];
#define REFUSED(json, field, text)                                                      \
	do {                                                                            \
		snprintf(want, sizeof(want), "%s%s: %s", p, field, text);              \
		ASSERT_CONTAINS(health_error(json), want);                             \
	} while (0)
	REFUSED("{}", ".command", "required");
	REFUSED("{\"command\": []}", ".command", "must start with");
	REFUSED("{\"command\": [\"NONE\"]}", ".command", "must start with \"CMD\" or \"CMD-SHELL\"");
	REFUSED("{\"command\": [\"/bin/true\"]}", ".command", "must start with");
	REFUSED("{\"command\": [\"CMD\"]}", ".command", "\"CMD\" must be followed");
	REFUSED("{\"command\": [\"CMD\", \"\"]}", ".command", "\"CMD\" must be followed");
	REFUSED("{\"command\": [\"CMD-SHELL\"]}", ".command", "\"CMD-SHELL\" must be followed by exactly one command string");
	REFUSED("{\"command\": [\"CMD-SHELL\", \"a\", \"b\"]}", ".command", "\"CMD-SHELL\" must be followed by exactly one");
	REFUSED("{\"command\": \"CMD-SHELL true\"}", ".command", "expected an array");
	REFUSED("{\"command\": [\"CMD\", 5]}", ".command[1]", "expected a string");
	REFUSED("{\"command\": [\"CMD\", \"true\"], \"interval\": 4}", ".interval", "");
	REFUSED("{\"command\": [\"CMD\", \"true\"], \"interval\": 301}", ".interval", "");
	REFUSED("{\"command\": [\"CMD\", \"true\"], \"timeout\": 1}", ".timeout", "");
	REFUSED("{\"command\": [\"CMD\", \"true\"], \"timeout\": 121}", ".timeout", "");
	REFUSED("{\"command\": [\"CMD\", \"true\"], \"retries\": 0}", ".retries", "");
	REFUSED("{\"command\": [\"CMD\", \"true\"], \"retries\": 11}", ".retries", "");
	REFUSED("{\"command\": [\"CMD\", \"true\"], \"startPeriod\": 301}", ".startPeriod", "");
	REFUSED("{\"command\": [\"CMD\", \"true\"], \"startPeriod\": -1}", ".startPeriod", "");
	REFUSED("{\"command\": [\"CMD\", \"true\"], \"interval\": \"5\"}", ".interval", "");
	REFUSED("{\"command\": [\"CMD\", \"true\"], \"retries\": 2.5}", ".retries", "");
	REFUSED("{\"command\": [\"CMD\", \"true\"], \"Interval\": 5}", ".Interval",
		"field not supported");
	REFUSED("[\"CMD\", \"true\"]", "", "expected");
#undef REFUSED
}

/* Feed results ("s" success, "f" failure; upper case inside the start period) and return the
 * status letters after each ("?" UNKNOWN, "H", "U") and how often the status changed. */
static void run_sequence(const char *results, uint32_t retries, char *statuses, int *changes)
{
	struct health_state s = { 0 };
	*changes = 0;
	for (size_t i = 0; results[i]; i++) {
		bool in_start = results[i] == 'S' || results[i] == 'F';
		bool passed = results[i] == 's' || results[i] == 'S';
		*changes += health_decide(&s, retries, in_start, passed);
		statuses[i] = s.status == CONTAINER_HEALTH_HEALTHY     ? 'H'
			      : s.status == CONTAINER_HEALTH_UNHEALTHY ? 'U'
								       : '?';
	}
	statuses[strlen(results)] = '\0';
}

#define ASSERT_SEQUENCE(results, retries, want, want_changes)                           \
	do {                                                                            \
		char got[64];                                                           \
		int changes;                                                            \
		run_sequence(results, retries, got, &changes);                          \
		ASSERT_STR_EQ(got, want);                                               \
		ASSERT_INT_EQ(changes, want_changes);                                   \
	} while (0)

TEST(health_decide_exact_counts)
{
	/* UNKNOWN until a check decides; retries failures in a row make it UNHEALTHY. */
	ASSERT_SEQUENCE("fff", 3, "??U", 1);
	ASSERT_SEQUENCE("ff", 3, "??", 0);
	ASSERT_SEQUENCE("f", 1, "U", 1);
	ASSERT_SEQUENCE("s", 3, "H", 1);
	/* HEALTHY stays HEALTHY through retries - 1 failures; a success resets the count. */
	ASSERT_SEQUENCE("sffsfff", 3, "HHHHHHU", 2);
	/* One success makes an UNHEALTHY container HEALTHY again. */
	ASSERT_SEQUENCE("fffsff", 3, "??UHHH", 2);
	/* Failures inside the start period do not count... */
	ASSERT_SEQUENCE("FFFFFff", 3, "???????", 0);
	ASSERT_SEQUENCE("FFFFFfff", 3, "???????U", 1);
	/* ...and a success inside it makes it HEALTHY and ends the grace. */
	ASSERT_SEQUENCE("SFFF", 3, "HHHU", 2);
	ASSERT_SEQUENCE("FSF", 1, "?HU", 2);
	/* A new failure with the status unchanged is no change. */
	ASSERT_SEQUENCE("ffffff", 2, "?UUUUU", 1);
	ASSERT_SEQUENCE("sssss", 2, "HHHHH", 1);
}

TEST(health_decide_counts_failures)
{
	struct health_state s = { 0 };
	for (int i = 0; i < 5; i++)
		health_decide(&s, 10, i < 2, false);
	ASSERT_INT_EQ(s.failures, 3);
	health_decide(&s, 10, false, true);
	ASSERT_INT_EQ(s.failures, 0);
}

TEST(health_record_round_trip)
{
	char path[4096];
	snprintf(path, sizeof(path), "%s/health.json", test_tmpdir());
	struct error err = { 0 };
	struct health_record rec = { 0 };
	ASSERT_INT_EQ(health_record_read(path, &rec, &err), -ENOENT);
	error_clear(&err);
	struct health_record w = {
		.status = CONTAINER_HEALTH_UNHEALTHY, .failures = 4, .checks = 9,
		.checked_at_ms = 1764900000123, .output = (char *)"no\n\"file\"\t\\ here",
	};
	ASSERT_INT_EQ(health_record_write(path, &w, &err), 0);
	ASSERT_INT_EQ(health_record_read(path, &rec, &err), 0);
	ASSERT_INT_EQ(rec.status, CONTAINER_HEALTH_UNHEALTHY);
	ASSERT_INT_EQ(rec.failures, 4);
	ASSERT_INT_EQ(rec.checks, 9);
	ASSERT_TRUE(rec.checked_at_ms == 1764900000123);
	ASSERT_STR_EQ(rec.output, "no\n\"file\"\t\\ here");
	health_record_done(&rec);
	w = (struct health_record){ .status = CONTAINER_HEALTH_HEALTHY, .checks = 1 };
	ASSERT_INT_EQ(health_record_write(path, &w, &err), 0);
	ASSERT_INT_EQ(health_record_read(path, &rec, &err), 0);
	ASSERT_INT_EQ(rec.status, CONTAINER_HEALTH_HEALTHY);
	ASSERT_TRUE(rec.output == NULL);
}

TEST(health_record_refuses_malformed)
{
	static const char *const bad[] = {
		"", "[]", "{}", "null",
		"{\"status\":\"SICK\",\"failures\":0,\"checks\":0,\"checked_at_ms\":0,\"output\":null}",
		"{\"status\":\"HEALTHY\",\"failures\":-1,\"checks\":0,\"checked_at_ms\":0,\"output\":null}",
		"{\"status\":\"HEALTHY\",\"failures\":1.5,\"checks\":0,\"checked_at_ms\":0,\"output\":null}",
		"{\"status\":\"HEALTHY\",\"failures\":0,\"checks\":0,\"checked_at_ms\":0,\"output\":5}",
		"{\"status\":\"HEALTHY\",\"failures\":4294967296,\"checks\":0,\"checked_at_ms\":0,"
		"\"output\":null}",
		"{\"status\":\"HEALTHY\",\"failures\":0,\"checks\":0,\"output\":null}",
	};
	for (size_t i = 0; i < ELEMENTSOF(bad); i++) {
		struct health_record rec = { 0 };
		struct error err = { 0 };
		ASSERT_INT_EQ(health_record_parse(bad[i], &rec, &err), -EINVAL);
		ASSERT_CONTAINS(err.message, "malformed health record");
	}
}

TEST(health_output_kept_bounded_and_clean)
{
	/* The last HEALTH_OUTPUT_MAX bytes, never starting inside a character. */
	char big[3000];
	memset(big, 'a', sizeof(big));
	memcpy(big + sizeof(big) - HEALTH_OUTPUT_MAX - 1, "\xc3\xa9", 2); /* é across the cut */
	memcpy(big + sizeof(big) - 4, "end\n", 4);
	_cleanup_free_ char *tail = health_output_clean(big, sizeof(big));
	ASSERT_INT_EQ(strlen(tail), HEALTH_OUTPUT_MAX - 1);
	ASSERT_TRUE(tail[0] == 'a');
	ASSERT_STR_EQ(tail + strlen(tail) - 4, "end\n");
	_cleanup_free_ char *odd = health_output_clean("a\x01\xff\xc3\xa9\tb\x7f\n", 9);
	ASSERT_STR_EQ(odd, "a??\xc3\xa9\tb?\n");
	_cleanup_free_ char *surrogate = health_output_clean("\xed\xa0\x80", 3);
	ASSERT_STR_EQ(surrogate, "???");
}

/* The task's health over its essential containers that have a check, as ECS aggregates it. */
static enum container_health task_health_of(const bool essential[], const bool checked[],
					    const enum container_health health[], size_t n)
{
	static char *argv[] = { (char *)"true", NULL };
	struct taskdef_container defs[4] = { 0 };
	struct tm_container containers[4] = { 0 };
	for (size_t i = 0; i < n; i++) {
		defs[i].essential = essential[i];
		defs[i].health_check.argv = checked[i] ? argv : NULL;
		containers[i].def = &defs[i];
		containers[i].health = health[i];
	}
	struct taskdef td = { .containers = defs, .n_containers = n };
	struct tm_task t = { .td = &td, .containers = containers };
	return tm_task_health(&t);
}

TEST(health_task_aggregate_over_essential_checked_containers)
{
	const enum container_health H = CONTAINER_HEALTH_HEALTHY, U = CONTAINER_HEALTH_UNHEALTHY,
				    K = CONTAINER_HEALTH_UNKNOWN;
	/* Any essential UNHEALTHY wins over UNKNOWN. */
	ASSERT_INT_EQ(task_health_of((bool[]){ true, true }, (bool[]){ true, true },
				     (enum container_health[]){ K, U }, 2), U);
	ASSERT_INT_EQ(task_health_of((bool[]){ true, true }, (bool[]){ true, true },
				     (enum container_health[]){ H, K }, 2), K);
	ASSERT_INT_EQ(task_health_of((bool[]){ true, true }, (bool[]){ true, true },
				     (enum container_health[]){ H, H }, 2), H);
	/* A non-essential container does not count, however unhealthy. */
	ASSERT_INT_EQ(task_health_of((bool[]){ true, false }, (bool[]){ true, true },
				     (enum container_health[]){ H, U }, 2), H);
	/* Nor does an essential one without a check. */
	ASSERT_INT_EQ(task_health_of((bool[]){ true, true }, (bool[]){ true, false },
				     (enum container_health[]){ H, K }, 2), H);
	/* No essential container with a check: UNKNOWN. */
	ASSERT_INT_EQ(task_health_of((bool[]){ true, false }, (bool[]){ false, true },
				     (enum container_health[]){ K, H }, 2), K);
}

TEST(health_in_task_state_frames)
{
	struct container_report containers[] = {
		{ .name = "app", .status = TASK_RUNNING, .has_health_check = true,
		  .health = CONTAINER_HEALTH_UNHEALTHY, .health_output = "refused\n" },
		{ .name = "side", .status = TASK_RUNNING },
	};
	struct task_report report = {
		.task_arn = "arn:t1", .status = TASK_RUNNING, .containers = containers,
		.n_containers = 2, .has_health_check = true, .health = CONTAINER_HEALTH_UNHEALTHY,
	};
	cJSON *f = task_state_frame_new(&report, 1.0);
	ASSERT_TRUE(f);
	ASSERT_STR_EQ(cJSON_GetObjectItem(f, "health_status")->valuestring, "UNHEALTHY");
	cJSON *c = cJSON_GetArrayItem(cJSON_GetObjectItem(f, "containers"), 0);
	ASSERT_STR_EQ(cJSON_GetObjectItem(c, "health_status")->valuestring, "UNHEALTHY");
	ASSERT_STR_EQ(cJSON_GetObjectItem(c, "health_output")->valuestring, "refused\n");
	/* A container without a check says nothing of health. */
	c = cJSON_GetArrayItem(cJSON_GetObjectItem(f, "containers"), 1);
	ASSERT_TRUE(!cJSON_GetObjectItem(c, "health_status"));
	ASSERT_TRUE(!cJSON_GetObjectItem(c, "health_output"));
	cJSON_Delete(f);
	/* Nor does a task none of whose containers has one. */
	containers[0].has_health_check = false;
	report.has_health_check = false;
	f = task_state_frame_new(&report, 1.0);
	ASSERT_TRUE(f && !cJSON_GetObjectItem(f, "health_status"));
	c = cJSON_GetArrayItem(cJSON_GetObjectItem(f, "containers"), 0);
	ASSERT_TRUE(!cJSON_GetObjectItem(c, "health_status"));
	cJSON_Delete(f);
}
