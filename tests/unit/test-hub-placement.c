/* Placement with constraints and strategies, through RunTask and scheduler_place_tasks. */
#include <stdlib.h>
#include <string.h>

#include "common/cleanup.h"
#include "hub/api.h"
#include "hub/tasks/scheduler.h"
#include "tests/unit/test.h"

#define ECS "AmazonEC2ContainerServiceV20141113."

static int call(struct hub_store *s, const char *target, const char *body, char **out)
{
	return api_dispatch(s, target, body, strlen(body), out);
}

/* Three connected x86_64 nodes: mi-1 and mi-2 in paris (mi-1 with the most memory), mi-3 in
 * lyon; mi-4 in paris is disconnected. */
static struct hub_store *fleet(void)
{
	struct hub_store *s = NULL;
	if (hub_store_open(":memory:", &s, NULL) < 0)
		return NULL;
	hub_store_exec_text(
		s, "INSERT INTO nodes(node_id, instance_id, cluster, public_key, cpu, memory,"
		   " attributes, registered_at, connected) VALUES"
		   " ('mi-1', 'i1', 'default', 'k', 4096, 2000, '{\"ecs.cpu-architecture\":\"x86_64\"}', 1, 1),"
		   " ('mi-2', 'i2', 'default', 'k', 4096, 1500, '{\"ecs.cpu-architecture\":\"x86_64\"}', 2, 1),"
		   " ('mi-3', 'i3', 'default', 'k', 4096, 1000, '{\"ecs.cpu-architecture\":\"x86_64\"}', 3, 1),"
		   " ('mi-4', 'i4', 'default', 'k', 4096, 9000, '{\"ecs.cpu-architecture\":\"x86_64\"}', 4, 0)",
		NULL, 0);
	hub_store_exec_text(
		s, "INSERT INTO node_attributes(node_id, name, value) VALUES ('mi-1', 'site', 'paris'),"
		   " ('mi-2', 'site', 'paris'), ('mi-3', 'site', 'lyon'), ('mi-4', 'site', 'paris')",
		NULL, 0);
	_cleanup_free_ char *td = NULL;
	call(s, ECS "RegisterTaskDefinition", "{\"family\":\"f\",\"containerDefinitions\":"
	     "[{\"name\":\"c\",\"image\":\"i\",\"memory\":100}]}", &td);
	return s;
}

static long long tasks_on(struct hub_store *s, const char *node)
{
	long long cpu, mem;
	if (scheduler_reserved(s, node, &cpu, &mem) < 0)
		return -1;
	return mem / 100;
}

static void run(struct hub_store *s, const char *extra, char **out)
{
	char body[1024];
	snprintf(body, sizeof(body), "{\"taskDefinition\":\"f\",%s}", extra);
	if (call(s, ECS "RunTask", body, out) != 200)
		test_fail_at(__FILE__, __LINE__, "RunTask %s: %s", extra, *out);
}

TEST(placement_member_of_custom_attribute)
{
	struct hub_store *s = fleet();
	ASSERT_TRUE(s);
	_cleanup_free_ char *out = NULL;
	run(s, "\"count\":3,\"placementConstraints\":[{\"type\":\"memberOf\","
	       "\"expression\":\"attribute:site == lyon\"}]", &out);
	ASSERT_INT_EQ(tasks_on(s, "mi-3"), 3);
	ASSERT_INT_EQ(tasks_on(s, "mi-1") + tasks_on(s, "mi-2"), 0);
	hub_store_close(s);
}

TEST(placement_distinct_instance)
{
	struct hub_store *s = fleet();
	ASSERT_TRUE(s);
	_cleanup_free_ char *out = NULL, *again = NULL;
	run(s, "\"count\":4,\"placementConstraints\":[{\"type\":\"distinctInstance\"}]", &out);
	ASSERT_INT_EQ(tasks_on(s, "mi-1"), 1);
	ASSERT_INT_EQ(tasks_on(s, "mi-2"), 1);
	ASSERT_INT_EQ(tasks_on(s, "mi-3"), 1);
	/* The fourth could go to mi-4 alone, whose agent is not connected. */
	ASSERT_CONTAINS(out, "\"reason\":\"AGENT\"");
	/* Without mi-4 it has nowhere to go, for the family's tasks already there count too. */
	hub_store_exec_text(s, "UPDATE nodes SET status = 'INACTIVE' WHERE node_id = 'mi-4'", NULL, 0);
	run(s, "\"placementConstraints\":[{\"type\":\"distinctInstance\"}]", &again);
	ASSERT_CONTAINS(again, "\"tasks\":[]");
	ASSERT_CONTAINS(again, "DistinctInstance placement constraint unsatisfied.");
	hub_store_close(s);
}

TEST(placement_impossible_constraints_say_why)
{
	struct hub_store *s = fleet();
	ASSERT_TRUE(s);
	_cleanup_free_ char *arm = NULL, *absent = NULL, *agent = NULL;
	run(s, "\"placementConstraints\":[{\"type\":\"memberOf\","
	       "\"expression\":\"attribute:ecs.cpu-architecture == arm64\"}]", &arm);
	ASSERT_CONTAINS(arm, "\"tasks\":[]");
	ASSERT_CONTAINS(arm, "\"reason\":\"MemberOf placement constraint unsatisfied.\"");
	run(s, "\"placementConstraints\":[{\"type\":\"memberOf\","
	       "\"expression\":\"attribute:site == nice\"}]", &absent);
	ASSERT_CONTAINS(absent, "MemberOf placement constraint unsatisfied.");
	run(s, "\"placementConstraints\":[{\"type\":\"memberOf\","
	       "\"expression\":\"ec2InstanceId == mi-4\"}]", &agent);
	ASSERT_CONTAINS(agent, "\"reason\":\"AGENT\"");
	hub_store_close(s);
}

TEST(placement_definition_constraints_apply_with_the_request)
{
	struct hub_store *s = fleet();
	ASSERT_TRUE(s);
	_cleanup_free_ char *td = NULL, *out = NULL, *none = NULL, *bad = NULL;
	ASSERT_INT_EQ(call(s, ECS "RegisterTaskDefinition",
			   "{\"family\":\"p\",\"placementConstraints\":[{\"type\":\"memberOf\","
			   "\"expression\":\"attribute:site == paris\"}],\"containerDefinitions\":"
			   "[{\"name\":\"c\",\"image\":\"i\",\"memory\":100}]}", &td), 200);
	ASSERT_INT_EQ(call(s, ECS "RunTask", "{\"taskDefinition\":\"p\",\"count\":2}", &out), 200);
	ASSERT_INT_EQ(tasks_on(s, "mi-1") + tasks_on(s, "mi-2"), 2);
	ASSERT_INT_EQ(call(s, ECS "RunTask",
			   "{\"taskDefinition\":\"p\",\"placementConstraints\":[{\"type\":"
			   "\"memberOf\",\"expression\":\"ec2InstanceId == i3\"}]}", &none), 200);
	ASSERT_CONTAINS(none, "MemberOf placement constraint unsatisfied.");
	ASSERT_INT_EQ(call(s, ECS "RegisterTaskDefinition",
			   "{\"family\":\"q\",\"placementConstraints\":[{\"type\":\"memberOf\","
			   "\"expression\":\"attribute:site = paris\"}],\"containerDefinitions\":"
			   "[{\"name\":\"c\",\"image\":\"i\"}]}", &bad), 400);
	ASSERT_CONTAINS(bad, "placementConstraints[0].expression: position 16");
	hub_store_close(s);
}

TEST(placement_strategies)
{
	struct hub_store *s = fleet();
	ASSERT_TRUE(s);
	_cleanup_free_ char *spread = NULL, *binpack = NULL, *by_site = NULL;
	/* binpack on memory fills the node with the least free memory first. */
	run(s, "\"count\":2,\"placementStrategy\":[{\"type\":\"binpack\",\"field\":\"memory\"}]",
	    &binpack);
	ASSERT_INT_EQ(tasks_on(s, "mi-3"), 2);
	/* spread by instance evens the family's tasks out: mi-1 and mi-2 get theirs first. */
	run(s, "\"count\":4,\"placementStrategy\":[{\"type\":\"spread\",\"field\":\"instanceId\"}]",
	    &spread);
	ASSERT_INT_EQ(tasks_on(s, "mi-1"), 2);
	ASSERT_INT_EQ(tasks_on(s, "mi-2"), 2);
	ASSERT_INT_EQ(tasks_on(s, "mi-3"), 2);
	/* spread by site: paris has 4 of the family's tasks, lyon 2: lyon gets the next two. */
	run(s, "\"count\":2,\"placementStrategy\":[{\"type\":\"spread\","
	       "\"field\":\"attribute:site\"}]", &by_site);
	ASSERT_INT_EQ(tasks_on(s, "mi-3"), 4);
	ASSERT_INT_EQ(tasks_on(s, "mi-1") + tasks_on(s, "mi-2"), 4);
	hub_store_close(s);
}

TEST(placement_spread_by_attribute)
{
	struct hub_store *s = fleet();
	ASSERT_TRUE(s);
	_cleanup_free_ char *out = NULL;
	/* Two sites with one task each after two placements, whatever the memory says. */
	run(s, "\"count\":2,\"placementStrategy\":[{\"type\":\"spread\","
	       "\"field\":\"attribute:site\"}]", &out);
	ASSERT_INT_EQ(tasks_on(s, "mi-3"), 1);
	ASSERT_INT_EQ(tasks_on(s, "mi-1") + tasks_on(s, "mi-2"), 1);
	hub_store_close(s);
}

TEST(placement_random_stays_within_constraints)
{
	struct hub_store *s = fleet();
	ASSERT_TRUE(s);
	_cleanup_free_ char *out = NULL;
	run(s, "\"count\":10,\"placementStrategy\":[{\"type\":\"random\"}],"
	       "\"placementConstraints\":[{\"type\":\"memberOf\",\"expression\":"
	       "\"attribute:site in [paris]\"}]", &out);
	ASSERT_INT_EQ(tasks_on(s, "mi-1") + tasks_on(s, "mi-2"), 10);
	hub_store_close(s);
}

TEST(placement_refusals)
{
	struct hub_store *s = fleet();
	ASSERT_TRUE(s);
	static const struct {
		const char *extra, *message;
	} cases[] = {
		{ "\"placementConstraints\":[{\"type\":\"memberOf\"}]", "expression: required" },
		{ "\"placementConstraints\":[{\"type\":\"distinctInstance\",\"expression\":\"x\"}]",
		  "takes none" },
		{ "\"placementConstraints\":[{\"type\":\"sameAs\"}]", "not memberOf or distinctInstance" },
		{ "\"placementConstraints\":[{\"type\":\"memberOf\",\"expression\":\"attribute:a ==\"}]",
		  "placementConstraints[0].expression: position 15: expected a value" },
		{ "\"placementStrategy\":[{\"type\":\"binpack\",\"field\":\"disk\"}]",
		  "placementStrategy[0].field: binpack takes cpu or memory" },
		{ "\"placementStrategy\":[{\"type\":\"spread\"}]", "field: required for spread" },
		{ "\"placementStrategy\":[{\"type\":\"spread\",\"field\":\"rack\"}]",
		  "spread takes instanceId or attribute:NAME" },
		{ "\"placementStrategy\":[{\"type\":\"pack\"}]", "spread, binpack or random" },
		{ "\"placementStrategy\":[{\"type\":\"random\"},{\"type\":\"random\"},{\"type\":"
		  "\"random\"},{\"type\":\"random\"},{\"type\":\"random\"},{\"type\":\"random\"}]",
		  "at most 5 strategies" },
	};
	for (size_t i = 0; i < ELEMENTSOF(cases); i++) {
		char body[1024];
		snprintf(body, sizeof(body), "{\"taskDefinition\":\"f\",%s}", cases[i].extra);
		_cleanup_free_ char *out = NULL;
		ASSERT_INT_EQ(call(s, ECS "RunTask", body, &out), 400);
		ASSERT_CONTAINS(out, cases[i].message);
	}
	hub_store_close(s);
}
