/* Task manager logic that needs no container: task ids, limits and the controllers they
 * need, and tasks that are refused before anything starts. */
#include <errno.h>
#include <poll.h>
#include <stdlib.h>
#include <unistd.h>

#include "agent/tasks/task_limits.h"
#include "agent/tasks/task_manager.h"
#include "common/task_id.h"
#include "tests/unit/test.h"

TEST(task_id_is_last_arn_segment)
{
	char *id = NULL;
	ASSERT_INT_EQ(task_id_from_arn("arn:aws:ecs:eu-west-1:1:task/prod/ab12-CD", &id), 0);
	ASSERT_STR_EQ(id, "ab12-CD");
	free(id);
}

TEST(task_id_rejects_unsafe_or_long_ids)
{
	char *id = NULL;
	ASSERT_INT_EQ(task_id_from_arn("arn:aws:ecs:r:1:task/c/", &id), -EINVAL);
	ASSERT_INT_EQ(task_id_from_arn("arn:aws:ecs:r:1:task/c/..", &id), -EINVAL);
	ASSERT_INT_EQ(task_id_from_arn("arn:aws:ecs:r:1:task/c/a_b", &id), -EINVAL);
	ASSERT_INT_EQ(task_id_from_arn("task/c/a b", &id), -EINVAL);
	char long_id[TASK_ID_MAX + 2];
	memset(long_id, 'a', sizeof(long_id) - 1);
	long_id[sizeof(long_id) - 1] = '\0';
	ASSERT_INT_EQ(task_id_from_arn(long_id, &id), -EINVAL);
	ASSERT_TRUE(id == NULL);
}

static struct taskdef *parse(const char *text)
{
	struct taskdef *td = NULL;
	struct error err = { 0 };
	if (taskdef_parse(text, strlen(text), &td, &err) < 0)
		fprintf(stderr, "%s\n", err.message);
	return td;
}

TEST(missing_controllers_for_limits)
{
	struct taskdef *td = parse("{\"family\":\"f\",\"containerDefinitions\":[{\"name\":\"a\","
				   "\"image\":\"oci:/x\",\"cpu\":256,\"memory\":64}]}");
	ASSERT_TRUE(td);
	char *missing = NULL;
	ASSERT_INT_EQ(task_limits_missing_controllers(td, "", &missing), 0);
	ASSERT_STR_EQ(missing, "cpu,memory");
	free(missing);
	ASSERT_INT_EQ(task_limits_missing_controllers(td, "cpu,io,memory,pids", &missing), 0);
	ASSERT_STR_EQ(missing, "");
	free(missing);
	ASSERT_INT_EQ(task_limits_missing_controllers(td, "cpuset,memory", &missing), 0);
	ASSERT_STR_EQ(missing, "cpu");
	free(missing);
	taskdef_free(td);
}

TEST(container_limits_in_bytes)
{
	struct taskdef *td = parse("{\"family\":\"f\",\"containerDefinitions\":[{\"name\":\"a\","
				   "\"image\":\"oci:/x\",\"cpu\":512,\"memory\":64,"
				   "\"memoryReservation\":32}]}");
	ASSERT_TRUE(td);
	struct cgroup_limits l;
	task_limits_of_container(&td->containers[0], &l);
	ASSERT_INT_EQ(l.cpu_units, 512);
	ASSERT_INT_EQ(l.memory_max_bytes, 64ULL << 20);
	ASSERT_INT_EQ(l.memory_low_bytes, 32ULL << 20);
	taskdef_free(td);
}

struct seen {
	int calls;
	enum task_status status;
	char stop_code[64];
	char reason[1024];
};

static void record(void *userdata, const struct task_report *r)
{
	struct seen *s = userdata;
	s->calls++;
	s->status = r->status;
	snprintf(s->stop_code, sizeof(s->stop_code), "%s", r->stop_code ? r->stop_code : "");
	snprintf(s->reason, sizeof(s->reason), "%s", r->stopped_reason ? r->stopped_reason : "");
}

static struct task_manager *manager(struct seen *s, bool allow_no_limits)
{
	struct task_manager_config cfg = {
		.state_dir = test_tmpdir(), .monitor_path = "/nonexistent/tether-monitor",
		.allow_no_limits = allow_no_limits, .on_state = record, .userdata = s,
	};
	struct task_manager *tm = NULL;
	struct error err = { 0 };
	return task_manager_new(&cfg, &tm, &err) == 0 ? tm : NULL;
}

TEST(invalid_definition_is_stopped_task_failed_to_start)
{
	struct seen s = { 0 };
	struct task_manager *tm = manager(&s, false);
	ASSERT_TRUE(tm);
	cJSON *def = cJSON_Parse("{\"family\":\"f\",\"containerDefinitions\":[{\"name\":\"a\"}]}");
	struct error err = { 0 };
	ASSERT_TRUE(task_manager_start_task(tm, "arn:x:task/c/t1", def, &err) < 0);
	ASSERT_INT_EQ(s.calls, 1);
	ASSERT_INT_EQ(s.status, TASK_STOPPED);
	ASSERT_STR_EQ(s.stop_code, "TaskFailedToStart");
	ASSERT_CONTAINS(s.reason, "image");
	ASSERT_INT_EQ(task_manager_active_count(tm), 0);
	/* Redelivered: accepted without effect. */
	ASSERT_INT_EQ(task_manager_start_task(tm, "arn:x:task/c/t1", def, &err), 0);
	ASSERT_INT_EQ(s.calls, 1);
	ASSERT_INT_EQ(task_manager_stop_task(tm, "arn:x:task/c/nope", "x"), -ENOENT);
	cJSON_Delete(def);
	task_manager_free(tm);
}

/* The image worker's end makes task_manager_fd readable, so the caller ticks at once; the
 * stopped task can then be forgotten. */
TEST(failed_pull_wakes_the_fd_and_stopped_task_is_forgotten)
{
	struct seen s = { 0 };
	struct task_manager *tm = manager(&s, true);
	ASSERT_TRUE(tm);
	cJSON *def = cJSON_Parse("{\"family\":\"f\",\"containerDefinitions\":[{\"name\":\"a\","
				 "\"image\":\"oci:/nonexistent\"}]}");
	struct error err = { 0 };
	ASSERT_INT_EQ(task_manager_start_task(tm, "arn:x:task/c/w1", def, &err), 0);
	ASSERT_INT_EQ(task_manager_forget_task(tm, "arn:x:task/c/w1"), -EBUSY);
	struct pollfd p = { .fd = task_manager_fd(tm), .events = POLLIN };
	ASSERT_INT_EQ(poll(&p, 1, 10000), 1);
	task_manager_tick(tm);
	ASSERT_INT_EQ(s.status, TASK_STOPPED);
	ASSERT_STR_EQ(s.stop_code, "TaskFailedToStart");
	/* Drained by the tick: nothing more to wake for. */
	ASSERT_INT_EQ(poll(&p, 1, 0), 0);
	ASSERT_INT_EQ(task_manager_forget_task(tm, "arn:x:task/c/w1"), 0);
	ASSERT_INT_EQ(task_manager_forget_task(tm, "arn:x:task/c/w1"), -ENOENT);
	ASSERT_INT_EQ(task_manager_stop_task(tm, "arn:x:task/c/w1", "x"), -ENOENT);
	cJSON_Delete(def);
	task_manager_free(tm);
}

TEST(bad_task_id_is_refused)
{
	struct seen s = { 0 };
	struct task_manager *tm = manager(&s, false);
	ASSERT_TRUE(tm);
	cJSON *def = cJSON_Parse("{\"family\":\"f\",\"containerDefinitions\":[{\"name\":\"a\","
				 "\"image\":\"oci:/x\"}]}");
	struct error err = { 0 };
	ASSERT_TRUE(task_manager_start_task(tm, "arn:x:task/c/a.b", def, &err) < 0);
	ASSERT_STR_EQ(s.stop_code, "TaskFailedToStart");
	ASSERT_CONTAINS(s.reason, "[A-Za-z0-9-]");
	cJSON_Delete(def);
	task_manager_free(tm);
}

TEST(limits_without_controllers_are_refused_unless_allowed)
{
	char *available = NULL;
	struct error err = { 0 };
	if (cgroup_available_controllers(&available, &err) < 0 || strstr(available, "memory")) {
		free(available);
		test_skip("the host has the memory controller (or no cgroup2)");
		return;
	}
	free(available);
	struct seen s = { 0 };
	struct task_manager *tm = manager(&s, false);
	ASSERT_TRUE(tm);
	cJSON *def = cJSON_Parse("{\"family\":\"f\",\"containerDefinitions\":[{\"name\":\"a\","
				 "\"image\":\"oci:/nonexistent\",\"memory\":64}]}");
	ASSERT_TRUE(task_manager_start_task(tm, "arn:x:task/c/t2", def, &err) < 0);
	ASSERT_STR_EQ(s.stop_code, "TaskFailedToStart");
	ASSERT_CONTAINS(s.reason, "memory");
	ASSERT_CONTAINS(s.reason, "--allow-no-limits");
	task_manager_free(tm);

	/* Allowed: the task goes on to pull its image, which fails here. */
	struct seen s2 = { 0 };
	tm = manager(&s2, true);
	ASSERT_TRUE(tm);
	ASSERT_INT_EQ(task_manager_start_task(tm, "arn:x:task/c/t3", def, &err), 0);
	ASSERT_INT_EQ(s2.status, TASK_PENDING);
	for (int i = 0; i < 200 && task_manager_active_count(tm); i++) {
		task_manager_tick(tm);
		usleep(10000);
	}
	ASSERT_INT_EQ(s2.status, TASK_STOPPED);
	ASSERT_STR_EQ(s2.stop_code, "TaskFailedToStart");
	ASSERT_CONTAINS(s2.reason, "CannotPullContainerError: ");
	cJSON_Delete(def);
	task_manager_free(tm);
}
