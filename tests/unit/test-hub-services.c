/* Services through the operator API over an in-memory store, and the scheduler's pass over
 * them: what is refused, what is placed, what the service's events say. */
#include <stdlib.h>
#include <string.h>

#include "common/cleanup.h"
#include "hub/api.h"
#include "hub/services/service_reconcile.h"
#include "tests/unit/test.h"

#define ECS "AmazonEC2ContainerServiceV20141113."

static int call(struct hub_store *s, const char *target, const char *body, char **out)
{
	free(*out);
	*out = NULL;
	return api_dispatch(s, target, body, strlen(body), out);
}

/* A store with one connected node of 1024 CPU units and 250 MiB, and the definition "f" of one
 * container reserving 100 MiB. */
static struct hub_store *store_with_node(void)
{
	struct hub_store *s = NULL;
	if (hub_store_open(":memory:", &s, NULL) < 0)
		return NULL;
	hub_store_exec_text(s, "INSERT INTO nodes(node_id, instance_id, cluster, public_key, cpu,"
			       " memory, attributes, registered_at, connected) VALUES('mi-1', 'i1',"
			       " 'default', 'k', 1024, 250, '{}', 0, 1)", NULL, 0);
	char *out = NULL;
	call(s, ECS "RegisterTaskDefinition",
	     "{\"family\":\"f\",\"containerDefinitions\":[{\"name\":\"c\",\"image\":\"i\","
	     "\"memory\":100}]}", &out);
	free(out);
	return s;
}

static int pass(struct hub_store *s)
{
	struct error err = { 0 };
	return service_reconcile_all(s, SERVICE_DISCONNECT_GRACE_DEFAULT, &err);
}

static int count_of(const char *text, const char *needle)
{
	int n = 0;
	for (const char *p = strstr(text, needle); p; p = strstr(p + 1, needle))
		n++;
	return n;
}

TEST(hub_services_refusals_name_the_member)
{
	struct hub_store *s = store_with_node();
	ASSERT_TRUE(s);
	_cleanup_free_ char *out = NULL;
	ASSERT_INT_EQ(call(s, ECS "CreateService", "{\"serviceName\":\"a\",\"taskDefinition\":\"f\"}",
			   &out), 400);
	ASSERT_CONTAINS(out, "desiredCount is required");
	ASSERT_INT_EQ(call(s, ECS "CreateService",
			   "{\"serviceName\":\"a\",\"taskDefinition\":\"f\",\"desiredCount\":1,"
			   "\"deploymentConfiguration\":{\"alarms\":{\"enable\":true}}}", &out), 400);
	ASSERT_CONTAINS(out, "alarms");
	ASSERT_INT_EQ(call(s, ECS "CreateService",
			   "{\"serviceName\":\"d\",\"taskDefinition\":\"f\",\"schedulingStrategy\":"
			   "\"DAEMON\",\"placementStrategy\":[{\"type\":\"random\"}]}", &out), 400);
	ASSERT_CONTAINS(out, "not supported with the DAEMON scheduling strategy");
	ASSERT_INT_EQ(call(s, ECS "CreateService",
			   "{\"serviceName\":\"a\",\"taskDefinition\":\"f\",\"desiredCount\":1,"
			   "\"placementConstraints\":[{\"type\":\"memberOf\",\"expression\":\"x\"}]}",
			   &out), 400);
	ASSERT_CONTAINS(out, "placementConstraints[0].expression");
	ASSERT_INT_EQ(call(s, ECS "CreateService",
			   "{\"serviceName\":\"d\",\"taskDefinition\":\"f\",\"desiredCount\":1,"
			   "\"schedulingStrategy\":\"DAEMON\"}", &out), 400);
	ASSERT_CONTAINS(out, "daemon scheduling strategy");
	ASSERT_INT_EQ(call(s, ECS "CreateService",
			   "{\"serviceName\":\"a\",\"taskDefinition\":\"f\",\"desiredCount\":0,"
			   "\"clientToken\":\"t1\"}", &out), 200);
	/* A retry with the same token answers the service; another request is refused. */
	ASSERT_INT_EQ(call(s, ECS "CreateService",
			   "{\"serviceName\":\"a\",\"taskDefinition\":\"f\",\"desiredCount\":0,"
			   "\"clientToken\":\"t1\"}", &out), 200);
	ASSERT_INT_EQ(call(s, ECS "CreateService",
			   "{\"serviceName\":\"a\",\"taskDefinition\":\"f\",\"desiredCount\":0,"
			   "\"clientToken\":\"t2\"}", &out), 400);
	ASSERT_CONTAINS(out, "not idempotent");
	ASSERT_INT_EQ(call(s, ECS "DescribeServices", "{\"services\":[\"a\",\"nope\"]}", &out), 200);
	ASSERT_CONTAINS(out, "\"reason\":\"MISSING\"");
	ASSERT_CONTAINS(out, "service/default/a\"");
	ASSERT_INT_EQ(call(s, ECS "UpdateService", "{\"service\":\"nope\",\"desiredCount\":1}",
			   &out), 400);
	ASSERT_CONTAINS(out, "ServiceNotFoundException");
	hub_store_close(s);
}

TEST(hub_services_pass_places_what_fits_and_says_why_not)
{
	struct hub_store *s = store_with_node();
	ASSERT_TRUE(s);
	_cleanup_free_ char *out = NULL;
	ASSERT_INT_EQ(call(s, ECS "CreateService",
			   "{\"serviceName\":\"web\",\"taskDefinition\":\"f\",\"desiredCount\":3}",
			   &out), 200);
	ASSERT_INT_EQ(pass(s), 0);
	ASSERT_INT_EQ(pass(s), 0);
	ASSERT_INT_EQ(call(s, ECS "DescribeServices", "{\"services\":[\"web\"]}", &out), 200);
	/* 250 MiB hold two tasks of 100 MiB; the third waits, told once, not once a pass. */
	ASSERT_CONTAINS(out, "\"pendingCount\":2");
	ASSERT_CONTAINS(out, "(service web) has started 2 tasks: (task ");
	ASSERT_INT_EQ(count_of(out, "was unable to place a task because no container instance met"
				    " all of its requirements. Reason: No container instance has"
				    " enough memory"), 1);
	ASSERT_CONTAINS(out, "\"rolloutState\":\"IN_PROGRESS\"");
	ASSERT_INT_EQ(call(s, ECS "ListTasks", "{\"startedBy\":\"nope\"}", &out), 200);
	/* Scaled down, the tasks above the count go. */
	ASSERT_INT_EQ(call(s, ECS "UpdateService", "{\"service\":\"web\",\"desiredCount\":1}", &out),
		      200);
	ASSERT_INT_EQ(pass(s), 0);
	ASSERT_INT_EQ(call(s, ECS "DescribeServices", "{\"services\":[\"web\"]}", &out), 200);
	ASSERT_CONTAINS(out, "\"pendingCount\":1");
	ASSERT_CONTAINS(out, "has stopped 1 running tasks");
	hub_store_close(s);
}

TEST(hub_services_delete_needs_force_then_drains_to_inactive)
{
	struct hub_store *s = store_with_node();
	ASSERT_TRUE(s);
	_cleanup_free_ char *out = NULL;
	ASSERT_INT_EQ(call(s, ECS "CreateService",
			   "{\"serviceName\":\"web\",\"taskDefinition\":\"f\",\"desiredCount\":1}",
			   &out), 200);
	ASSERT_INT_EQ(pass(s), 0);
	ASSERT_INT_EQ(call(s, ECS "DeleteService", "{\"service\":\"web\"}", &out), 400);
	ASSERT_CONTAINS(out, "scaled above 0");
	ASSERT_INT_EQ(call(s, ECS "DeleteService", "{\"service\":\"web\",\"force\":true}", &out), 200);
	ASSERT_CONTAINS(out, "\"status\":\"DRAINING\"");
	/* Its task was never delivered to the agent: it stops at once. */
	ASSERT_INT_EQ(pass(s), 0);
	ASSERT_INT_EQ(call(s, ECS "DescribeServices", "{\"services\":[\"web\"]}", &out), 200);
	ASSERT_CONTAINS(out, "\"status\":\"INACTIVE\"");
	ASSERT_INT_EQ(call(s, ECS "ListServices", "{}", &out), 200);
	ASSERT_CONTAINS(out, "\"serviceArns\":[]");
	/* The name may be used again. */
	ASSERT_INT_EQ(call(s, ECS "CreateService",
			   "{\"serviceName\":\"web\",\"taskDefinition\":\"f\",\"desiredCount\":1}",
			   &out), 200);
	hub_store_close(s);
}

TEST(hub_services_draining_instance_gets_no_daemon_task)
{
	struct hub_store *s = store_with_node();
	ASSERT_TRUE(s);
	_cleanup_free_ char *out = NULL;
	ASSERT_INT_EQ(call(s, ECS "CreateService",
			   "{\"serviceName\":\"d\",\"taskDefinition\":\"f\","
			   "\"schedulingStrategy\":\"DAEMON\"}", &out), 200);
	ASSERT_CONTAINS(out, "\"maximumPercent\":100,\"minimumHealthyPercent\":0");
	ASSERT_INT_EQ(pass(s), 0);
	ASSERT_INT_EQ(call(s, ECS "DescribeServices", "{\"services\":[\"d\"]}", &out), 200);
	ASSERT_CONTAINS(out, "\"desiredCount\":1,\"runningCount\":0,\"pendingCount\":1");
	ASSERT_INT_EQ(call(s, ECS "UpdateContainerInstancesState",
			   "{\"containerInstances\":[\"i1\",\"i9\"],\"status\":\"DRAINING\"}", &out),
		      200);
	ASSERT_CONTAINS(out, "\"status\":\"DRAINING\"");
	ASSERT_CONTAINS(out, "\"reason\":\"MISSING\"");
	ASSERT_INT_EQ(pass(s), 0);
	ASSERT_INT_EQ(call(s, ECS "DescribeServices", "{\"services\":[\"d\"]}", &out), 200);
	ASSERT_CONTAINS(out, "\"desiredCount\":0,\"runningCount\":0,\"pendingCount\":0");
	ASSERT_INT_EQ(call(s, ECS "UpdateContainerInstancesState",
			   "{\"containerInstances\":[\"i1\"],\"status\":\"STOPPED\"}", &out), 400);
	ASSERT_CONTAINS(out, "ACTIVE or DRAINING");
	hub_store_close(s);
}

/* Every task not yet stopped exits on its own, as an agent would report it. */
static void exit_all_tasks(struct hub_store *s)
{
	hub_store_exec_text(s, "UPDATE tasks SET last_status = 'STOPPED', desired_status = 'STOPPED',"
			       " stop_code = 'EssentialContainerExited' WHERE last_status != 'STOPPED'",
			    NULL, 0);
}

/* A task whose health turned UNHEALTHY is stopped and replaced, and counts as failed for the
 * circuit breaker; so does a task that stopped on its own. */
TEST(hub_services_unhealthy_task_is_replaced)
{
	struct hub_store *s = store_with_node();
	ASSERT_TRUE(s);
	_cleanup_free_ char *out = NULL;
	ASSERT_INT_EQ(call(s, ECS "CreateService",
			   "{\"serviceName\":\"web\",\"taskDefinition\":\"f\",\"desiredCount\":1,"
			   "\"deploymentConfiguration\":{\"deploymentCircuitBreaker\":"
			   "{\"enable\":true,\"rollback\":false}}}", &out), 200);
	ASSERT_INT_EQ(pass(s), 0);
	/* As an agent would report it: delivered, RUNNING, then UNHEALTHY. */
	hub_store_exec_text(s, "UPDATE tasks SET delivered = 1, last_status = 'RUNNING',"
			       " health_status = 'UNHEALTHY'", NULL, 0);
	ASSERT_INT_EQ(pass(s), 0);
	ASSERT_INT_EQ(call(s, ECS "ListTasks", "{\"desiredStatus\":\"STOPPED\"}", &out), 200);
	ASSERT_INT_EQ(count_of(out, "task/default/"), 1);
	ASSERT_INT_EQ(call(s, ECS "DescribeServices", "{\"services\":[\"web\"]}", &out), 200);
	ASSERT_CONTAINS(out, "\"pendingCount\":1");
	ASSERT_CONTAINS(out, "has stopped 1 running tasks");
	/* Its stop reaches the agent, which reports it STOPPED: a failure for the breaker. */
	hub_store_exec_text(s, "UPDATE tasks SET last_status = 'STOPPED'"
			       " WHERE desired_status = 'STOPPED'", NULL, 0);
	ASSERT_INT_EQ(pass(s), 0);
	ASSERT_INT_EQ(call(s, ECS "DescribeServices", "{\"services\":[\"web\"]}", &out), 200);
	ASSERT_CONTAINS(out, "\"failedTasks\":1");
	ASSERT_CONTAINS(out, "\"rolloutState\":\"IN_PROGRESS\"");
	/* Two more failures reach ECS's threshold of 3: the deployment FAILED, and starts no more. */
	exit_all_tasks(s);
	ASSERT_INT_EQ(pass(s), 0);
	exit_all_tasks(s);
	ASSERT_INT_EQ(pass(s), 0);
	ASSERT_INT_EQ(call(s, ECS "DescribeServices", "{\"services\":[\"web\"]}", &out), 200);
	ASSERT_CONTAINS(out, "\"failedTasks\":3");
	ASSERT_CONTAINS(out, "\"rolloutState\":\"FAILED\"");
	ASSERT_CONTAINS(out, "deployment failed: tasks failed to start.");
	/* The task the tripping pass had started stops too; nothing replaces it. */
	exit_all_tasks(s);
	ASSERT_INT_EQ(pass(s), 0);
	ASSERT_INT_EQ(call(s, ECS "DescribeServices", "{\"services\":[\"web\"]}", &out), 200);
	ASSERT_CONTAINS(out, "\"runningCount\":0,\"pendingCount\":0");
	hub_store_close(s);
}
