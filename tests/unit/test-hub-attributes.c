/* PutAttributes, ListAttributes, DeleteAttributes and the attributes instances show. */
#include <stdlib.h>
#include <string.h>

#include "common/cleanup.h"
#include "hub/api.h"
#include "tests/unit/test.h"

#define ECS "AmazonEC2ContainerServiceV20141113."

static int call(struct hub_store *s, const char *target, const char *body, char **out)
{
	return api_dispatch(s, target, body, strlen(body), out);
}

static struct hub_store *store_with_nodes(void)
{
	struct hub_store *s = NULL;
	if (hub_store_open(":memory:", &s, NULL) < 0)
		return NULL;
	hub_store_exec_text(s, "INSERT INTO nodes(node_id, instance_id, cluster, public_key, cpu,"
			       " memory, attributes, registered_at, connected) VALUES"
			       " ('mi-1', 'i1', 'default', 'k', 1024, 512,"
			       "  '{\"ecs.os-type\":\"linux\"}', 1, 1),"
			       " ('mi-2', 'i2', 'default', 'k', 1024, 512, '{}', 2, 1)", NULL, 0);
	return s;
}

static void put(struct hub_store *s, const char *target, const char *name, const char *value)
{
	char body[512];
	_cleanup_free_ char *out = NULL;
	snprintf(body, sizeof(body),
		 "{\"attributes\":[{\"name\":\"%s\",\"value\":\"%s\",\"targetId\":\"%s\","
		 "\"targetType\":\"container-instance\"}]}", name, value, target);
	if (call(s, ECS "PutAttributes", body, &out) != 200)
		test_fail_at(__FILE__, __LINE__, "put %s: %s", name, out);
}

TEST(attributes_put_list_delete)
{
	struct hub_store *s = store_with_nodes();
	ASSERT_TRUE(s);
	put(s, "i1", "site", "paris");
	put(s, "arn:aws:ecs:local:000000000000:container-instance/default/i2", "site", "lyon");
	put(s, "i1", "site", "nice"); /* replaces */
	_cleanup_free_ char *all = NULL, *by_value = NULL, *page = NULL, *desc = NULL,
			   *del = NULL, *after = NULL;
	ASSERT_INT_EQ(call(s, ECS "ListAttributes", "{\"targetType\":\"container-instance\"}", &all),
		      200);
	ASSERT_CONTAINS(all, "\"name\":\"ecs.os-type\",\"value\":\"linux\"");
	ASSERT_CONTAINS(all, "\"name\":\"site\",\"value\":\"nice\",\"targetType\":"
			     "\"container-instance\",\"targetId\":\"arn:aws:ecs:");
	ASSERT_TRUE(!strstr(all, "paris"));
	ASSERT_INT_EQ(call(s, ECS "ListAttributes",
			   "{\"targetType\":\"container-instance\",\"attributeName\":\"site\","
			   "\"attributeValue\":\"lyon\"}", &by_value), 200);
	ASSERT_CONTAINS(by_value, "container-instance/default/i2\"}]}");
	ASSERT_TRUE(!strstr(by_value, "nice"));
	ASSERT_INT_EQ(call(s, ECS "ListAttributes",
			   "{\"targetType\":\"container-instance\",\"maxResults\":1}", &page), 200);
	ASSERT_CONTAINS(page, "\"nextToken\":");
	ASSERT_INT_EQ(call(s, ECS "DescribeContainerInstances", "{\"containerInstances\":[\"i1\"]}",
			   &desc), 200);
	ASSERT_CONTAINS(desc, "{\"name\":\"ecs.os-type\",\"value\":\"linux\"},{\"name\":\"site\","
			      "\"value\":\"nice\"}");
	ASSERT_INT_EQ(call(s, ECS "DeleteAttributes",
			   "{\"attributes\":[{\"name\":\"site\",\"targetId\":\"i1\"}]}", &del), 200);
	ASSERT_INT_EQ(call(s, ECS "ListAttributes",
			   "{\"targetType\":\"container-instance\",\"attributeName\":\"site\"}",
			   &after), 200);
	ASSERT_TRUE(!strstr(after, "nice") && strstr(after, "lyon"));
	hub_store_close(s);
}

TEST(attributes_refusals)
{
	struct hub_store *s = store_with_nodes();
	ASSERT_TRUE(s);
	static const struct {
		const char *target, *body, *message;
	} cases[] = {
		{ "PutAttributes", "{\"attributes\":[{\"name\":\"ecs.os-type\",\"value\":\"x\","
				   "\"targetId\":\"i1\"}]}", "reported by the node's agent" },
		{ "DeleteAttributes", "{\"attributes\":[{\"name\":\"tether.version\","
				      "\"targetId\":\"i1\"}]}", "cannot be deleted" },
		{ "PutAttributes", "{\"attributes\":[{\"name\":\"a b\",\"targetId\":\"i1\"}]}",
		  "attribute name must be 1 to 128" },
		{ "PutAttributes", "{\"attributes\":[{\"name\":\"a\",\"value\":\" x\","
				   "\"targetId\":\"i1\"}]}", "not starting or ending with a space" },
		{ "PutAttributes", "{\"attributes\":[{\"name\":\"a\",\"targetId\":\"i9\"}]}",
		  "TargetNotFoundException" },
		{ "PutAttributes", "{\"attributes\":[{\"name\":\"a\",\"targetId\":\"i1\","
				   "\"targetType\":\"task\"}]}", "targetType must be container-instance" },
		{ "PutAttributes", "{\"attributes\":[{\"name\":\"a\",\"targetId\":\"i1\","
				   "\"colour\":\"red\"}]}", "does not implement the parameter colour" },
		{ "ListAttributes", "{}", "targetType must be container-instance" },
		{ "ListAttributes", "{\"targetType\":\"container-instance\",\"attributeValue\":\"x\"}",
		  "attributeValue can be given only with attributeName" },
	};
	for (size_t i = 0; i < ELEMENTSOF(cases); i++) {
		char target[128];
		snprintf(target, sizeof(target), ECS "%s", cases[i].target);
		_cleanup_free_ char *out = NULL;
		ASSERT_INT_EQ(call(s, target, cases[i].body, &out), 400);
		ASSERT_CONTAINS(out, cases[i].message);
	}
	hub_store_close(s);
}

TEST(attributes_at_most_ten_custom_per_instance)
{
	struct hub_store *s = store_with_nodes();
	ASSERT_TRUE(s);
	char name[16];
	for (int i = 0; i < 10; i++) {
		snprintf(name, sizeof(name), "a%d", i);
		put(s, "i1", name, "v");
	}
	_cleanup_free_ char *out = NULL, *list = NULL;
	ASSERT_INT_EQ(call(s, ECS "PutAttributes",
			   "{\"attributes\":[{\"name\":\"eleventh\",\"targetId\":\"i1\"}]}", &out),
		      400);
	ASSERT_CONTAINS(out, "AttributeLimitExceededException");
	ASSERT_INT_EQ(call(s, ECS "ListAttributes",
			   "{\"targetType\":\"container-instance\",\"attributeName\":\"eleventh\"}",
			   &list), 200);
	ASSERT_CONTAINS(list, "\"attributes\":[]");
	put(s, "i1", "a3", "replaced"); /* replacing one is not an eleventh */
	hub_store_close(s);
}

TEST(attributes_filter_instances)
{
	struct hub_store *s = store_with_nodes();
	ASSERT_TRUE(s);
	put(s, "i2", "site", "lyon");
	_cleanup_free_ char *os = NULL, *lyon = NULL, *not_lyon = NULL, *id = NULL, *bad = NULL;
	ASSERT_INT_EQ(call(s, ECS "ListContainerInstances",
			   "{\"filter\":\"attribute:ecs.os-type == linux\"}", &os), 200);
	ASSERT_CONTAINS(os, "/i1\"]");
	ASSERT_INT_EQ(call(s, ECS "ListContainerInstances",
			   "{\"filter\":\"attribute:site exists\",\"status\":\"ACTIVE\"}", &lyon), 200);
	ASSERT_CONTAINS(lyon, "[\"arn:aws:ecs:local:000000000000:container-instance/default/i2\"]");
	ASSERT_INT_EQ(call(s, ECS "ListContainerInstances",
			   "{\"filter\":\"not attribute:site == lyon\"}", &not_lyon), 200);
	ASSERT_CONTAINS(not_lyon, "/i1\"]");
	ASSERT_INT_EQ(call(s, ECS "ListContainerInstances",
			   "{\"filter\":\"ec2InstanceId in [mi-1, mi-2]\"}", &id), 200);
	ASSERT_CONTAINS(id, "/i1\",\"arn:aws:ecs:local:000000000000:container-instance/default/i2\"]");
	ASSERT_INT_EQ(call(s, ECS "ListContainerInstances", "{\"filter\":\"attribute:site in [a\"}",
			   &bad), 400);
	ASSERT_CONTAINS(bad, "filter: position 21: expected ',' or ']'");
	hub_store_close(s);
}
