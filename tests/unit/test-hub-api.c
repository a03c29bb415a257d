/* Operator API handlers over an in-memory store, placement, and who may call what. */
#include <stdlib.h>
#include <string.h>

#include "common/cleanup.h"
#include "hub/access.h"
#include "hub/api.h"
#include "hub/tasks/scheduler.h"
#include "tests/unit/test.h"

#define ECS "AmazonEC2ContainerServiceV20141113."

static int call(struct hub_store *s, const char *target, const char *body, char **out)
{
	return api_dispatch(s, target, body, strlen(body), out);
}

static struct hub_store *store_with_node(long long cpu, long long memory, bool connected)
{
	struct hub_store *s = NULL;
	if (hub_store_open(":memory:", &s, NULL) < 0)
		return NULL;
	char sql[512];
	snprintf(sql, sizeof(sql),
		 "INSERT INTO nodes(node_id, instance_id, cluster, public_key, cpu, memory,"
		 " attributes, registered_at, connected) VALUES('mi-1', 'i1', 'default', 'k',"
		 " %lld, %lld, '{}', 0, %d)", cpu, memory, connected);
	hub_store_exec_text(s, sql, NULL, 0);
	return s;
}

TEST(hub_api_errors_have_ecs_shapes)
{
	struct hub_store *s = store_with_node(1024, 512, true);
	ASSERT_TRUE(s);
	_cleanup_free_ char *a = NULL, *b = NULL, *c = NULL, *d = NULL;
	ASSERT_INT_EQ(call(s, ECS "Frobnicate", "{}", &a), 400);
	ASSERT_CONTAINS(a, "\"__type\":\"UnknownOperationException\"");
	ASSERT_INT_EQ(call(s, ECS "ListTasks", "[1]", &b), 400);
	ASSERT_CONTAINS(b, "SerializationException");
	ASSERT_INT_EQ(call(s, ECS "ListTasks", "{\"cluster\":\"nope\"}", &c), 400);
	ASSERT_CONTAINS(c, "ClusterNotFoundException");
	ASSERT_INT_EQ(call(s, ECS "RunTask", "{\"taskDefinition\":\"f\",\"count\":1e300}", &d), 400);
	ASSERT_CONTAINS(d, "InvalidParameterException");
	hub_store_close(s);
}

TEST(hub_api_taskdef_revisions_and_refusals)
{
	struct hub_store *s = store_with_node(1024, 512, true);
	const char *td = "{\"family\":\"f\",\"tags\":[],\"containerDefinitions\":"
			 "[{\"name\":\"c\",\"image\":\"i\",\"memory\":100}]}";
	_cleanup_free_ char *r1 = NULL, *r2 = NULL, *bad = NULL, *noimg = NULL;
	ASSERT_INT_EQ(call(s, ECS "RegisterTaskDefinition", td, &r1), 200);
	ASSERT_CONTAINS(r1, "task-definition/f:1\"");
	ASSERT_INT_EQ(call(s, ECS "RegisterTaskDefinition", td, &r2), 200);
	ASSERT_CONTAINS(r2, "\"revision\":2");
	ASSERT_INT_EQ(call(s, ECS "RegisterTaskDefinition",
			   "{\"family\":\"f\",\"pidMode\":\"host\",\"containerDefinitions\":"
			   "[{\"name\":\"c\",\"image\":\"i\"}]}", &bad), 400);
	ASSERT_CONTAINS(bad, "pidMode");
	ASSERT_INT_EQ(call(s, ECS "RegisterTaskDefinition",
			   "{\"family\":\"f\",\"containerDefinitions\":[{\"name\":\"c\"}]}", &noimg), 400);
	ASSERT_CONTAINS(noimg, "image");
	hub_store_close(s);
}

TEST(hub_scheduler_places_until_memory_runs_out)
{
	struct hub_store *s = store_with_node(4096, 250, true);
	_cleanup_free_ char *td = NULL, *run = NULL;
	call(s, ECS "RegisterTaskDefinition", "{\"family\":\"f\",\"containerDefinitions\":"
	     "[{\"name\":\"c\",\"image\":\"i\",\"memory\":100}]}", &td);
	ASSERT_INT_EQ(call(s, ECS "RunTask", "{\"taskDefinition\":\"f\",\"count\":3}", &run), 200);
	ASSERT_CONTAINS(run, "\"reason\":\"RESOURCE:MEMORY\"");
	long long cpu, mem;
	ASSERT_INT_EQ(scheduler_reserved(s, "mi-1", &cpu, &mem), 0);
	ASSERT_INT_EQ(mem, 200);
	hub_store_close(s);
}

TEST(hub_scheduler_places_on_the_node_with_most_memory_left)
{
	struct hub_store *s = store_with_node(4096, 1000, true);
	hub_store_exec_text(s, "INSERT INTO nodes(node_id, instance_id, cluster, public_key, cpu,"
			       " memory, attributes, registered_at, connected) VALUES('mi-2', 'i2',"
			       " 'default', 'k', 4096, 800, '{}', 0, 1)", NULL, 0);
	_cleanup_free_ char *td = NULL, *run = NULL;
	call(s, ECS "RegisterTaskDefinition", "{\"family\":\"f\",\"containerDefinitions\":"
	     "[{\"name\":\"c\",\"image\":\"i\",\"memory\":300}]}", &td);
	/* mi-1 (1000 free against 800), mi-2 (800 against 700), mi-1 (700 against 500). */
	ASSERT_INT_EQ(call(s, ECS "RunTask", "{\"taskDefinition\":\"f\",\"count\":3}", &run), 200);
	long long cpu, mem1, mem2;
	ASSERT_INT_EQ(scheduler_reserved(s, "mi-1", &cpu, &mem1), 0);
	ASSERT_INT_EQ(scheduler_reserved(s, "mi-2", &cpu, &mem2), 0);
	ASSERT_INT_EQ(mem1, 600);
	ASSERT_INT_EQ(mem2, 300);
	char node[64];
	const char *reason = NULL;
	/* 400 and 500 left: 600 MiB fits nowhere, 450 MiB on mi-2 only. */
	ASSERT_INT_EQ(scheduler_place(s, "default", 10, 600, node, &reason, NULL), 1);
	ASSERT_STR_EQ(reason, "RESOURCE:MEMORY");
	ASSERT_INT_EQ(scheduler_place(s, "default", 10, 450, node, &reason, NULL), 0);
	ASSERT_STR_EQ(node, "mi-2");
	hub_store_close(s);
}

TEST(hub_scheduler_needs_a_connected_agent)
{
	struct hub_store *s = store_with_node(4096, 4096, false);
	char node[64];
	const char *reason = NULL;
	ASSERT_INT_EQ(scheduler_place(s, "default", 10, 10, node, &reason, NULL), 1);
	ASSERT_STR_EQ(reason, "AGENT");
	ASSERT_INT_EQ(scheduler_place(s, "other", 10, 10, node, &reason, NULL), 1);
	ASSERT_STR_EQ(reason, "NO_ACTIVE_INSTANCES");
	hub_store_close(s);
}

TEST(hub_access_registration_needs_tls_or_dev_loopback)
{
	/* Operator requests are decided by their signature (hub/operator_auth.h). */
	ASSERT_INT_EQ(hub_access_check(false, "192.0.2.7", false, false), HUB_ACCESS_OK);
	ASSERT_INT_EQ(hub_access_check(true, "127.0.0.1", true, false), HUB_ACCESS_OK);
	ASSERT_INT_EQ(hub_access_check(true, "::1", true, false), HUB_ACCESS_OK);
	ASSERT_INT_EQ(hub_access_check(true, "127.0.0.1", false, false),
		      HUB_ACCESS_REGISTER_NEEDS_TLS);
	ASSERT_INT_EQ(hub_access_check(true, "192.0.2.7", true, false),
		      HUB_ACCESS_REGISTER_NEEDS_TLS);
	ASSERT_INT_EQ(hub_access_check(true, "192.0.2.7", false, true), HUB_ACCESS_OK);
	ASSERT_TRUE(hub_peer_is_loopback("::ffff:127.0.0.1"));
	ASSERT_TRUE(!hub_peer_is_loopback("::ffff:10.0.0.1"));
}

TEST(hub_api_max_results_is_checked_as_ecs_does)
{
	struct hub_store *s = store_with_node(1024, 512, true);
	static const char *const lists[] = { "ListClusters", "ListTasks", "ListContainerInstances" };
	static const char *const bad[] = { "{\"maxResults\":0}", "{\"maxResults\":101}",
					   "{\"maxResults\":1.5}", "{\"maxResults\":\"5\"}",
					   "{\"maxResults\":-1}" };
	for (size_t i = 0; i < ELEMENTSOF(lists); i++) {
		char target[128];
		snprintf(target, sizeof(target), ECS "%s", lists[i]);
		for (size_t j = 0; j < ELEMENTSOF(bad); j++) {
			_cleanup_free_ char *out = NULL;
			ASSERT_INT_EQ(call(s, target, bad[j], &out), 400);
			ASSERT_CONTAINS(out, "\"__type\":\"InvalidParameterException\"");
			ASSERT_CONTAINS(out, "maxResults must be between 1 and 100.");
		}
		_cleanup_free_ char *one = NULL, *hundred = NULL;
		ASSERT_INT_EQ(call(s, target, "{\"maxResults\":1}", &one), 200);
		ASSERT_INT_EQ(call(s, target, "{\"maxResults\":100}", &hundred), 200);
	}
	hub_store_close(s);
}

/* {"member": ["x0", ..., "x<n-1>"]} */
static char *name_list(const char *member, int n)
{
	cJSON *o = cJSON_CreateObject(), *list = cJSON_AddArrayToObject(o, member);
	for (int i = 0; i < n; i++) {
		char name[16];
		snprintf(name, sizeof(name), "x%d", i);
		cJSON_AddItemToArray(list, cJSON_CreateString(name));
	}
	char *text = cJSON_PrintUnformatted(o);
	cJSON_Delete(o);
	return text;
}

TEST(hub_api_describe_calls_name_at_most_100)
{
	struct hub_store *s = store_with_node(1024, 512, true);
	static const struct {
		const char *action, *member, *refusal;
	} calls[] = {
		{ "DescribeClusters", "clusters", "clusters can have at most 100 items." },
		{ "DescribeTasks", "tasks", "tasks can have at most 100 items." },
		{ "DescribeContainerInstances", "containerInstances",
		  "instanceIds can have at most 100 items." },
	};
	for (size_t i = 0; i < ELEMENTSOF(calls); i++) {
		char target[128];
		snprintf(target, sizeof(target), ECS "%s", calls[i].action);
		_cleanup_free_ char *many = name_list(calls[i].member, 5000),
				    *over = name_list(calls[i].member, 101),
				    *hundred = name_list(calls[i].member, 100);
		_cleanup_free_ char *a = NULL, *b = NULL, *c = NULL;
		ASSERT_INT_EQ(call(s, target, many, &a), 400);
		ASSERT_CONTAINS(a, calls[i].refusal);
		ASSERT_CONTAINS(a, "InvalidParameterException");
		ASSERT_INT_EQ(call(s, target, over, &b), 400);
		ASSERT_CONTAINS(b, calls[i].refusal);
		ASSERT_INT_EQ(call(s, target, hundred, &c), 200);
		ASSERT_CONTAINS(c, "\"reason\":\"MISSING\"");
	}
	hub_store_close(s);
}
