/* Tags: ECS's rules (hub/tag_rules.h) and the store (hub/tag_store.h), including that a task's
 * tags go when retention forgets the task. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "common/cleanup.h"
#include "hub/api.h"
#include "hub/tag_rules.h"
#include "hub/tag_store.h"
#include "hub/tasks/task_retention.h"
#include "protocol/json_value.h"
#include "tests/unit/test.h"

static bool list_ok(const char *json, bool allow_reserved)
{
	_cleanup_(cjson_deletep) cJSON *tags = cJSON_Parse(json);
	struct error err = { 0 };
	return tag_rules_check_list(tags, "tags", allow_reserved, &err) == 0;
}

TEST(hub_tag_rules_keys_and_values)
{
	char key[130], value[258];
	memset(key, 'k', sizeof(key));
	memset(value, 'v', sizeof(value));
	key[128] = value[256] = '\0';
	ASSERT_INT_EQ(tag_rules_check_key(key, false, NULL), 0);
	ASSERT_INT_EQ(tag_rules_check_value(value, NULL), 0);
	ASSERT_INT_EQ(tag_rules_check_value("", NULL), 0);
	key[128] = 'k';
	key[129] = '\0';
	value[256] = 'v';
	value[257] = '\0';
	ASSERT_TRUE(tag_rules_check_key(key, false, NULL) < 0);
	ASSERT_TRUE(tag_rules_check_value(value, NULL) < 0);
	ASSERT_TRUE(tag_rules_check_key("", false, NULL) < 0);
	ASSERT_INT_EQ(tag_rules_check_key("team name +-=._:/@", false, NULL), 0);
	ASSERT_INT_EQ(tag_rules_check_key("Größe", false, NULL), 0);
	ASSERT_TRUE(tag_rules_check_key("a*b", false, NULL) < 0);
	ASSERT_TRUE(tag_rules_check_key("a\nb", false, NULL) < 0);
	ASSERT_TRUE(tag_rules_check_value("semi;colon", NULL) < 0);
}

TEST(hub_tag_rules_reserved_prefix)
{
	struct error err = { 0 };
	ASSERT_TRUE(tag_rules_check_key("aws:owner", false, &err) < 0);
	ASSERT_CONTAINS(err.message, "aws: prefix is reserved");
	ASSERT_TRUE(tag_rules_check_key("AWS:owner", false, NULL) < 0);
	ASSERT_INT_EQ(tag_rules_check_key("aws:ecs:clusterName", true, NULL), 0);
	ASSERT_INT_EQ(tag_rules_check_key("awsome", false, NULL), 0);
}

TEST(hub_tag_rules_lists)
{
	ASSERT_TRUE(list_ok("[]", false));
	ASSERT_TRUE(list_ok("[{\"key\":\"a\",\"value\":\"b\"},{\"key\":\"c\"}]", false));
	ASSERT_TRUE(!list_ok("{}", false));
	ASSERT_TRUE(!list_ok("[{\"value\":\"b\"}]", false));
	ASSERT_TRUE(!list_ok("[{\"key\":1}]", false));
	ASSERT_TRUE(!list_ok("[{\"key\":\"a\",\"value\":2}]", false));
	ASSERT_TRUE(!list_ok("[{\"key\":\"a\",\"other\":\"x\"}]", false));
	ASSERT_TRUE(!list_ok("[\"a\"]", false));
	_cleanup_(cjson_deletep) cJSON *many = cJSON_CreateArray();
	for (int i = 0; i < 51; i++) {
		char k[16];
		snprintf(k, sizeof(k), "k%d", i);
		cJSON *t = cJSON_CreateObject();
		cJSON_AddStringToObject(t, "key", k);
		cJSON_AddItemToArray(many, t);
	}
	struct error err = { 0 };
	ASSERT_TRUE(tag_rules_check_list(many, "tags", false, &err) < 0);
	ASSERT_CONTAINS(err.message, "at most 50 tags");
	cJSON_DeleteItemFromArray(many, 0);
	ASSERT_INT_EQ(tag_rules_check_list(many, "tags", false, NULL), 0);
}

TEST(hub_tag_store_counts_only_the_operators_tags)
{
	struct hub_store *s = NULL;
	ASSERT_INT_EQ(hub_store_open(":memory:", &s, NULL), 0);
	_cleanup_(cjson_deletep) cJSON *tags = cJSON_CreateArray();
	for (int i = 0; i < 50; i++) {
		char k[16];
		snprintf(k, sizeof(k), "k%02d", i);
		cJSON *t = cJSON_CreateObject();
		cJSON_AddStringToObject(t, "key", k);
		cJSON_AddStringToObject(t, "value", "v");
		cJSON_AddItemToArray(tags, t);
	}
	ASSERT_INT_EQ(tag_store_put(s, "arn:x", tags, NULL), 0);
	ASSERT_INT_EQ(tag_store_put_one(s, "arn:x", "aws:ecs:clusterName", "c", NULL), 0);
	ASSERT_INT_EQ(tag_store_put(s, "arn:x", tags, NULL), 0); /* replacing is no new tag */
	_cleanup_(cjson_deletep) cJSON *one = cJSON_Parse("[{\"key\":\"more\",\"value\":\"\"}]");
	ASSERT_INT_EQ(tag_store_put(s, "arn:x", one, NULL), -EINVAL);
	_cleanup_(cjson_deletep) cJSON *list = tag_store_list(s, "arn:x", NULL);
	ASSERT_TRUE(list);
	/* The refused put leaves its row for the caller's rollback; the count shows it was seen. */
	ASSERT_INT_EQ(cJSON_GetArraySize(list), 52);
	_cleanup_(cjson_deletep) cJSON *keys = cJSON_Parse("[\"k00\",\"more\",\"absent\"]");
	ASSERT_INT_EQ(tag_store_remove(s, "arn:x", keys, NULL), 0);
	ASSERT_INT_EQ(tag_store_copy(s, "arn:x", "arn:y", NULL), 0);
	_cleanup_(cjson_deletep) cJSON *copied = tag_store_list(s, "arn:y", NULL);
	ASSERT_INT_EQ(cJSON_GetArraySize(copied), 50);
	ASSERT_INT_EQ(tag_store_forget(s, "arn:y", NULL), 0);
	_cleanup_(cjson_deletep) cJSON *gone = tag_store_list(s, "arn:y", NULL);
	ASSERT_INT_EQ(cJSON_GetArraySize(gone), 0);
	hub_store_close(s);
}

TEST(hub_tags_of_a_forgotten_task_go_with_it)
{
	struct hub_store *s = NULL;
	ASSERT_INT_EQ(hub_store_open(":memory:", &s, NULL), 0);
	hub_store_exec_text(s, "INSERT INTO tasks(id, cluster, family, revision, node_id, cpu, memory,"
			       " last_status, desired_status, created_at, stopped_at) VALUES"
			       " ('t1', 'default', 'f', 1, 'mi-1', 0, 0, 'STOPPED', 'STOPPED', 0, 10),"
			       " ('t2', 'default', 'f', 1, 'mi-1', 0, 0, 'RUNNING', 'RUNNING', 0, NULL)",
			    NULL, 0);
	const char *t1 = "arn:aws:ecs:local:000000000000:task/default/t1";
	const char *t2 = "arn:aws:ecs:local:000000000000:task/default/t2";
	ASSERT_INT_EQ(tag_store_put_one(s, t1, "a", "1", NULL), 0);
	ASSERT_INT_EQ(tag_store_put_one(s, t2, "a", "2", NULL), 0);
	ASSERT_INT_EQ(task_retention_sweep(s, 1000, 100, NULL), 1);
	_cleanup_(cjson_deletep) cJSON *l1 = tag_store_list(s, t1, NULL);
	_cleanup_(cjson_deletep) cJSON *l2 = tag_store_list(s, t2, NULL);
	ASSERT_INT_EQ(cJSON_GetArraySize(l1), 0);
	ASSERT_INT_EQ(cJSON_GetArraySize(l2), 1);
	hub_store_close(s);
}

#define ECS "AmazonEC2ContainerServiceV20141113."

static int call(struct hub_store *s, const char *target, const char *body, char **out)
{
	return api_dispatch(s, target, body, strlen(body), out);
}

TEST(hub_delete_cluster_refused_while_tasks_are_active)
{
	struct hub_store *s = NULL;
	ASSERT_INT_EQ(hub_store_open(":memory:", &s, NULL), 0);
	_cleanup_free_ char *a = NULL, *b = NULL, *c = NULL;
	ASSERT_INT_EQ(call(s, ECS "CreateCluster", "{\"clusterName\":\"c\"}", &a), 200);
	hub_store_exec_text(s, "INSERT INTO tasks(id, cluster, family, revision, node_id, cpu, memory,"
			       " last_status, desired_status, created_at) VALUES"
			       " ('t1', 'c', 'f', 1, 'mi-1', 0, 0, 'PENDING', 'RUNNING', 0)", NULL, 0);
	ASSERT_INT_EQ(call(s, ECS "DeleteCluster", "{\"cluster\":\"c\"}", &b), 400);
	ASSERT_CONTAINS(b, "ClusterContainsTasksException");
	hub_store_exec_text(s, "UPDATE tasks SET last_status = 'STOPPED'", NULL, 0);
	ASSERT_INT_EQ(call(s, ECS "DeleteCluster", "{\"cluster\":\"c\"}", &c), 200);
	ASSERT_CONTAINS(c, "\"status\":\"INACTIVE\"");
	hub_store_close(s);
}
