/* The EventBridge rule API over an in-memory store, and the firing of its ticks: once per tick,
 * not while disabled, missed ticks within the catch-up window once, failures recorded. */
#include <stdlib.h>
#include <string.h>

#include "common/cleanup.h"
#include "hub/api.h"
#include "hub/rule_firing.h"
#include "tests/unit/test.h"

#define ECS "AmazonEC2ContainerServiceV20141113."
#define EV "AWSEvents."
#define CLUSTER_ARN "arn:aws:ecs:local:000000000000:cluster/default"

static int call(struct hub_store *s, const char *target, const char *body, char **out)
{
	free(*out);
	*out = NULL;
	return api_dispatch(s, target, body, strlen(body), out);
}

static struct hub_store *store_with_rule(long long memory, const char *schedule)
{
	struct hub_store *s = NULL;
	if (hub_store_open(":memory:", &s, NULL) < 0)
		return NULL;
	char sql[512], body[512];
	snprintf(sql, sizeof(sql),
		 "INSERT INTO nodes(node_id, instance_id, cluster, public_key, cpu, memory,"
		 " attributes, registered_at, connected) VALUES('mi-1', 'i1', 'default', 'k',"
		 " 4096, %lld, '{}', 0, 1)", memory);
	hub_store_exec_text(s, sql, NULL, 0);
	_cleanup_free_ char *out = NULL;
	call(s, ECS "RegisterTaskDefinition", "{\"family\":\"f\",\"containerDefinitions\":"
	     "[{\"name\":\"c\",\"image\":\"i\",\"memory\":100}]}", &out);
	snprintf(body, sizeof(body), "{\"Name\":\"r1\",\"ScheduleExpression\":\"%s\"}", schedule);
	if (call(s, EV "PutRule", body, &out) != 200)
		return NULL;
	if (call(s, EV "PutTargets", "{\"Rule\":\"r1\",\"Targets\":[{\"Id\":\"t1\",\"Arn\":\""
		 CLUSTER_ARN "\",\"RoleArn\":\"arn:aws:iam::000000000000:role/ecsEventsRole\","
		 "\"EcsParameters\":{\"TaskDefinitionArn\":\"f\",\"TaskCount\":1,"
		 "\"LaunchType\":\"EXTERNAL\"}}]}", &out) != 200)
		return NULL;
	return s;
}

static long long column(struct hub_store *s, const char *sql)
{
	sqlite3_stmt *st = NULL;
	sqlite3_prepare_v2(s->db, sql, -1, &st, NULL);
	long long v = sqlite3_step(st) == SQLITE_ROW ? sqlite3_column_int64(st, 0) : -1;
	sqlite3_finalize(st);
	return v;
}

/* Tasks the rule started, as ListTasks --started-by counts them. */
static int runs(struct hub_store *s)
{
	_cleanup_free_ char *out = NULL;
	call(s, ECS "ListTasks", "{\"startedBy\":\"events-rule/r1\"}", &out);
	int n = 0;
	for (const char *p = out; p && (p = strstr(p, ":task/")); p++)
		n++;
	return n;
}

TEST(events_rate_rule_runs_once_per_tick)
{
	struct hub_store *s = store_with_rule(1000, "rate(1 minute)");
	ASSERT_TRUE(s);
	int64_t anchor = column(s, "SELECT anchor FROM rules WHERE name = 'r1'");
	ASSERT_INT_EQ(rule_firing_run(s, anchor + 59, NULL), 0);
	ASSERT_INT_EQ(runs(s), 0);
	ASSERT_INT_EQ(rule_firing_run(s, anchor + 60, NULL), 1);
	ASSERT_INT_EQ(runs(s), 1);
	/* The same tick again (a second later, or from a restarted hub) runs nothing. */
	ASSERT_INT_EQ(rule_firing_run(s, anchor + 61, NULL), 0);
	ASSERT_INT_EQ(runs(s), 1);
	ASSERT_INT_EQ(column(s, "SELECT last_tick FROM rules"), anchor + 60);
	ASSERT_INT_EQ(rule_firing_run(s, anchor + 121, NULL), 1);
	ASSERT_INT_EQ(runs(s), 2);
	_cleanup_free_ char *out = NULL;
	call(s, ECS "ListTasks", "{\"startedBy\":\"events-rule/r1\"}", &out);
	ASSERT_CONTAINS(out, "taskArns");
	hub_store_close(s);
}

TEST(events_disabled_rule_does_not_run_and_resumes_from_now)
{
	struct hub_store *s = store_with_rule(1000, "rate(1 minute)");
	ASSERT_TRUE(s);
	int64_t anchor = column(s, "SELECT anchor FROM rules WHERE name = 'r1'");
	_cleanup_free_ char *out = NULL;
	ASSERT_INT_EQ(call(s, EV "DisableRule", "{\"Name\":\"r1\"}", &out), 200);
	ASSERT_INT_EQ(rule_firing_run(s, anchor + 60, NULL), 0);
	ASSERT_INT_EQ(call(s, EV "DescribeRule", "{\"Name\":\"r1\"}", &out), 200);
	ASSERT_CONTAINS(out, "\"State\":\"DISABLED\"");
	ASSERT_CONTAINS(out, "\"Arn\":\"arn:aws:events:local:000000000000:rule/r1\"");
	ASSERT_INT_EQ(runs(s), 0);
	ASSERT_INT_EQ(call(s, EV "EnableRule", "{\"Name\":\"r1\"}", &out), 200);
	ASSERT_CONTAINS(out, "{}");
	hub_store_close(s);
}

TEST(events_missed_ticks_run_once_within_the_window)
{
	struct hub_store *s = store_with_rule(1000, "rate(1 minute)");
	ASSERT_TRUE(s);
	int64_t anchor = column(s, "SELECT anchor FROM rules WHERE name = 'r1'");
	/* Down for four ticks: the latest runs, once. */
	ASSERT_INT_EQ(rule_firing_run(s, anchor + 250, NULL), 1);
	ASSERT_INT_EQ(runs(s), 1);
	ASSERT_INT_EQ(column(s, "SELECT last_tick FROM rules"), anchor + 240);
	ASSERT_INT_EQ(column(s, "SELECT next_due FROM rules"), anchor + 300);
	/* Down past the window: the ticks it missed are not run; the next is. */
	ASSERT_INT_EQ(rule_firing_run(s, anchor + 240 + RULE_CATCH_UP_SECONDS + 70, NULL), 1);
	ASSERT_INT_EQ(runs(s), 2);
	hub_store_close(s);
}

TEST(events_failure_to_place_is_recorded)
{
	struct hub_store *s = store_with_rule(50, "cron(0/5 * * * ? *)");
	ASSERT_TRUE(s);
	int64_t due = column(s, "SELECT next_due FROM rules WHERE name = 'r1'");
	ASSERT_INT_EQ(due % 300, 0);
	ASSERT_INT_EQ(rule_firing_run(s, due, NULL), 1);
	ASSERT_INT_EQ(runs(s), 0);
	_cleanup_free_ char *out = NULL;
	ASSERT_INT_EQ(call(s, EV "DescribeRule", "{\"Name\":\"r1\"}", &out), 200);
	ASSERT_CONTAINS(out, "\"LastFailure\":\"target t1: a task could not be placed: RESOURCE:MEMORY\"");
	/* Nothing started: tried again a second later, the tick not yet counted as handled. */
	ASSERT_INT_EQ(column(s, "SELECT next_due FROM rules"), due + 1);
	ASSERT_TRUE(column(s, "SELECT last_tick FROM rules") < due);
	ASSERT_INT_EQ(rule_firing_run(s, due + 1, NULL), 1);
	ASSERT_INT_EQ(runs(s), 0);
	/* Room made (the node back): the same tick runs, once. */
	hub_store_exec_text(s, "UPDATE nodes SET memory = 1000", NULL, 0);
	ASSERT_INT_EQ(rule_firing_run(s, due + 9, NULL), 1);
	ASSERT_INT_EQ(runs(s), 1);
	ASSERT_INT_EQ(column(s, "SELECT last_tick FROM rules"), due);
	ASSERT_INT_EQ(column(s, "SELECT next_due FROM rules"), due + 300);
	ASSERT_INT_EQ(rule_firing_run(s, due + 10, NULL), 0);
	ASSERT_INT_EQ(runs(s), 1);
	/* The failure stays shown with the rule. */
	ASSERT_INT_EQ(call(s, EV "DescribeRule", "{\"Name\":\"r1\"}", &out), 200);
	ASSERT_CONTAINS(out, "LastFailureAt");
	hub_store_close(s);
}

TEST(events_api_shapes_and_refusals)
{
	struct hub_store *s = store_with_rule(1000, "rate(5 minutes)");
	ASSERT_TRUE(s);
	_cleanup_free_ char *out = NULL;
	ASSERT_INT_EQ(call(s, EV "PutRule", "{\"Name\":\"p\",\"EventPattern\":\"{}\","
			   "\"ScheduleExpression\":\"rate(1 hour)\",\"RoleArn\":\"r\"}", &out), 400);
	ASSERT_CONTAINS(out, "\"__type\":\"ValidationException\"");
	ASSERT_CONTAINS(out, "EventPattern, RoleArn");
	ASSERT_INT_EQ(call(s, EV "PutRule", "{\"Name\":\"p\",\"ScheduleExpression\":\"cron(0 25 * * ? *)\"}",
			   &out), 400);
	ASSERT_CONTAINS(out, "hours: '25'");
	ASSERT_INT_EQ(call(s, EV "PutRule", "{\"Name\":\"a.b\",\"ScheduleExpression\":\"rate(1 hour)\"}",
			   &out), 400);
	ASSERT_CONTAINS(out, "startedBy");
	ASSERT_INT_EQ(call(s, EV "DescribeRule", "{\"Name\":\"nope\"}", &out), 400);
	ASSERT_CONTAINS(out, "\"__type\":\"ResourceNotFoundException\"");
	ASSERT_CONTAINS(out, "Rule nope does not exist on EventBus default.");
	ASSERT_INT_EQ(call(s, EV "DeleteRule", "{\"Name\":\"r1\"}", &out), 400);
	ASSERT_CONTAINS(out, "Rule can't be deleted since it has targets.");
	ASSERT_INT_EQ(call(s, EV "PutTargets", "{\"Rule\":\"r1\",\"Targets\":[{\"Id\":\"t2\",\"Arn\":\""
			   CLUSTER_ARN "\",\"Input\":\"x\",\"EcsParameters\":{\"TaskDefinitionArn\":\"f\","
			   "\"PlacementConstraints\":[{\"type\":\"distinctInstance\"}]}}]}", &out), 400);
	ASSERT_CONTAINS(out, "Targets[0]: tether does not implement the parameter Input");
	ASSERT_INT_EQ(call(s, EV "PutTargets", "{\"Rule\":\"r1\",\"Targets\":[{\"Id\":\"t2\",\"Arn\":\""
			   CLUSTER_ARN "\",\"EcsParameters\":{\"TaskDefinitionArn\":\"f\","
			   "\"PlacementConstraints\":[{\"type\":\"distinctInstance\"}]}}]}", &out), 400);
	ASSERT_CONTAINS(out, "EcsParameters: tether does not implement the parameter PlacementConstraints");
	ASSERT_INT_EQ(call(s, EV "PutTargets", "{\"Rule\":\"r1\",\"Targets\":[{\"Id\":\"t2\",\"Arn\":\""
			   CLUSTER_ARN "\",\"EcsParameters\":{\"TaskDefinitionArn\":\"nofamily\"}}]}",
			   &out), 400);
	ASSERT_INT_EQ(call(s, EV "ListTargetsByRule", "{\"Rule\":\"r1\"}", &out), 200);
	ASSERT_CONTAINS(out, "\"Targets\":[{\"Id\":\"t1\",\"Arn\":\"" CLUSTER_ARN "\"");
	ASSERT_CONTAINS(out, "\"TaskCount\":1");
	/* Pages: three rules, two per page. */
	call(s, EV "PutRule", "{\"Name\":\"r2\",\"ScheduleExpression\":\"rate(1 hour)\"}", &out);
	call(s, EV "PutRule", "{\"Name\":\"r3\",\"ScheduleExpression\":\"rate(1 hour)\"}", &out);
	call(s, EV "PutRule", "{\"Name\":\"x\",\"ScheduleExpression\":\"rate(1 hour)\"}", &out);
	ASSERT_INT_EQ(call(s, EV "ListRules", "{\"NamePrefix\":\"r\",\"Limit\":2}", &out), 200);
	ASSERT_CONTAINS(out, "\"Name\":\"r2\"");
	ASSERT_TRUE(!strstr(out, "\"Name\":\"r3\""));
	ASSERT_CONTAINS(out, "\"NextToken\":\"2/r2\"");
	ASSERT_INT_EQ(call(s, EV "ListRules", "{\"NamePrefix\":\"r\",\"Limit\":2,"
			   "\"NextToken\":\"2/r2\"}", &out), 200);
	ASSERT_CONTAINS(out, "\"Rules\":[{\"Name\":\"r3\"");
	ASSERT_TRUE(!strstr(out, "NextToken"));
	ASSERT_INT_EQ(call(s, EV "RemoveTargets", "{\"Rule\":\"r1\",\"Ids\":[\"t1\"]}", &out), 200);
	ASSERT_CONTAINS(out, "\"FailedEntryCount\":0");
	ASSERT_INT_EQ(call(s, EV "DeleteRule", "{\"Name\":\"r1\"}", &out), 200);
	ASSERT_INT_EQ(call(s, EV "DescribeRule", "{\"Name\":\"r1\"}", &out), 400);
	hub_store_close(s);
}

/* The firing's transaction holds RunTask's as a savepoint: undoing the inner keeps the outer,
 * and nothing is written before the outer commits. */
TEST(events_store_nests_transactions)
{
	struct hub_store *s = NULL;
	ASSERT_INT_EQ(hub_store_open(":memory:", &s, NULL), 0);
	ASSERT_INT_EQ(hub_store_begin(s, NULL), 0);
	ASSERT_INT_EQ(hub_store_exec_text(s, "INSERT INTO clusters(name, created_at) VALUES('a', 0)",
					  NULL, 0), 0);
	ASSERT_INT_EQ(hub_store_begin(s, NULL), 0);
	ASSERT_INT_EQ(hub_store_exec_text(s, "INSERT INTO clusters(name, created_at) VALUES('b', 0)",
					  NULL, 0), 0);
	hub_store_rollback(s);
	ASSERT_INT_EQ(s->depth, 1);
	ASSERT_INT_EQ(hub_store_begin(s, NULL), 0);
	ASSERT_INT_EQ(hub_store_exec_text(s, "INSERT INTO clusters(name, created_at) VALUES('c', 0)",
					  NULL, 0), 0);
	ASSERT_INT_EQ(hub_store_commit(s, NULL), 0);
	ASSERT_TRUE(!sqlite3_get_autocommit(s->db));
	ASSERT_INT_EQ(hub_store_commit(s, NULL), 0);
	ASSERT_TRUE(sqlite3_get_autocommit(s->db));
	ASSERT_INT_EQ(column(s, "SELECT group_concat(name, ',') = 'a,c,default' FROM"
			       " (SELECT name FROM clusters ORDER BY name)"), 1);
	/* A whole transaction rolled back leaves nothing. */
	ASSERT_INT_EQ(hub_store_begin(s, NULL), 0);
	ASSERT_INT_EQ(hub_store_begin(s, NULL), 0);
	hub_store_exec_text(s, "INSERT INTO clusters(name, created_at) VALUES('d', 0)", NULL, 0);
	ASSERT_INT_EQ(hub_store_commit(s, NULL), 0);
	hub_store_rollback(s);
	ASSERT_INT_EQ(s->depth, 0);
	ASSERT_INT_EQ(column(s, "SELECT count(*) FROM clusters WHERE name = 'd'"), 0);
	hub_store_close(s);
}
