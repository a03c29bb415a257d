/* The registration's all-fields refusal (protocol/taskdef_register.h) and RunTask's override
 * merge (protocol/taskdef_overrides.h). */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "common/cleanup.h"
#include "protocol/json_value.h"
#include "protocol/taskdef.h"
#include "protocol/taskdef_overrides.h"
#include "protocol/taskdef_register.h"
#include "tests/unit/test.h"

static const char *register_error(cJSON *json)
{
	static struct error err;
	error_clear(&err);
	struct taskdef *td = NULL;
	if (taskdef_from_register_json(json, &td, &err) == 0) {
		taskdef_free(td);
		return NULL;
	}
	return err.message;
}

TEST(register_names_every_unsupported_field)
{
	_cleanup_(cjson_deletep) cJSON *json = cJSON_Parse(
		"{\"family\": \"web\", \"pidMode\": \"host\","
		" \"containerDefinitions\": ["
		"  {\"name\": \"a\", \"image\": \"i\", \"links\": [\"b\"],"
		"   \"logConfiguration\": {\"logDriver\": \"json-file\", \"secretOptions\": [{\"name\": \"x\"}]}},"
		"  {\"name\": \"b\", \"image\": \"i\", \"privileged\": true}]}");
	ASSERT_TRUE(json);
	const char *msg = register_error(json);
	ASSERT_TRUE(msg);
	ASSERT_STR_EQ(msg, "unsupported fields: pidMode, containerDefinitions[0].links,"
			   " containerDefinitions[0].logConfiguration.secretOptions,"
			   " containerDefinitions[1].privileged");
}

TEST(register_takes_empty_forms_as_absent_and_strips_them)
{
	_cleanup_(cjson_deletep) cJSON *json = cJSON_Parse(
		"{\"family\": \"web\", \"placementConstraints\": [], \"tags\": null,"
		" \"containerDefinitions\": [{\"name\": \"a\", \"image\": \"i\", \"portMappings\": [],"
		"  \"privileged\": false, \"volumesFrom\": [], \"mountPoints\": [],"
		"  \"systemControls\": [], \"hostname\": null, \"essential\": true,"
		"  \"environment\": [{\"name\": \"A\", \"value\": \"1\"}]}]}");
	ASSERT_TRUE(json);
	ASSERT_TRUE(register_error(json) == NULL);
	/* What is stored parses with the agent's strict parser. */
	_cleanup_free_ char *text = cJSON_PrintUnformatted(json);
	ASSERT_TRUE(strstr(text, "portMappings") == NULL);
	ASSERT_TRUE(strstr(text, "privileged") == NULL);
	ASSERT_TRUE(strstr(text, "hostname") == NULL);
	ASSERT_TRUE(strstr(text, "\"environment\"") != NULL);
	struct error err = { 0 };
	_cleanup_(taskdef_freep) struct taskdef *td = NULL;
	ASSERT_INT_EQ(taskdef_parse(text, strlen(text), &td, &err), 0);
	ASSERT_TRUE(td->containers[0].essential);
}

TEST(register_refusal_with_a_bad_value_says_both)
{
	_cleanup_(cjson_deletep) cJSON *json = cJSON_Parse(
		"{\"family\": \"web\", \"containerDefinitions\": [{\"name\": \"a\", \"image\": \"i\","
		" \"links\": [\"b\"], \"cpu\": \"lots\"}]}");
	const char *msg = register_error(json);
	ASSERT_TRUE(msg);
	ASSERT_CONTAINS(msg, "containerDefinitions[0].links: field not supported by tether; ");
	ASSERT_CONTAINS(msg, "containerDefinitions[0].cpu");
}

TEST(strict_parse_still_refuses_empty_unknown_fields)
{
	static const char text[] = "{\"family\": \"web\", \"containerDefinitions\": [{\"name\":"
				   " \"a\", \"image\": \"i\", \"portMappings\": []}]}";
	struct error err = { 0 };
	struct taskdef *td = NULL;
	ASSERT_TRUE(taskdef_parse(text, strlen(text), &td, &err) < 0);
	ASSERT_CONTAINS(err.message, "portMappings: field not supported");
}

static const char base[] =
	"{\"family\": \"web\", \"cpu\": \"512\", \"memory\": \"1024\", \"containerDefinitions\": ["
	" {\"name\": \"app\", \"image\": \"i\", \"command\": [\"old\"], \"cpu\": 128, \"memory\": 256,"
	"  \"environment\": [{\"name\": \"MODE\", \"value\": \"dev\"}, {\"name\": \"KEEP\", \"value\": \"k\"}]},"
	" {\"name\": \"side\", \"image\": \"i\", \"memoryReservation\": 64}]}";

static const char *merge(const char *overrides, struct taskdef **ret)
{
	static struct error err;
	error_clear(&err);
	_cleanup_(cjson_deletep) cJSON *def = cJSON_Parse(base);
	_cleanup_(cjson_deletep) cJSON *o = cJSON_Parse(overrides);
	if (!def || !o)
		test_fail_at(__FILE__, __LINE__, "bad test JSON");
	if (taskdef_apply_overrides(def, o, &err) < 0)
		return err.message;
	_cleanup_free_ char *text = cJSON_PrintUnformatted(def);
	if (taskdef_parse(text, strlen(text), ret, &err) < 0)
		return err.message;
	return NULL;
}

TEST(overrides_merge_command_environment_and_resources)
{
	_cleanup_(taskdef_freep) struct taskdef *td = NULL;
	const char *msg = merge(
		"{\"cpu\": \"1024\", \"memory\": \"2048\", \"containerOverrides\": ["
		" {\"name\": \"app\", \"command\": [\"new\", \"arg\"], \"memory\": 300,"
		"  \"environment\": [{\"name\": \"MODE\", \"value\": \"prod\"}, {\"name\": \"ADDED\", \"value\": \"1\"}]},"
		" {\"name\": \"side\", \"memoryReservation\": 32, \"cpu\": 64}]}", &td);
	if (msg)
		test_fail_at(__FILE__, __LINE__, "%s", msg);
	ASSERT_INT_EQ(td->cpu, 1024);
	ASSERT_INT_EQ(td->memory_mib, 2048);
	const struct taskdef_container *app = &td->containers[0];
	ASSERT_STR_EQ(app->command[0], "new");
	ASSERT_STR_EQ(app->command[1], "arg");
	ASSERT_TRUE(app->command[2] == NULL);
	ASSERT_INT_EQ(app->memory_mib, 300);
	ASSERT_INT_EQ(app->cpu, 128);
	ASSERT_INT_EQ(app->n_environment, 3);
	ASSERT_STR_EQ(app->environment[0].name, "MODE");
	ASSERT_STR_EQ(app->environment[0].value, "prod");
	ASSERT_STR_EQ(app->environment[1].value, "k");
	ASSERT_STR_EQ(app->environment[2].name, "ADDED");
	ASSERT_INT_EQ(td->containers[1].memory_reservation_mib, 32);
	ASSERT_INT_EQ(td->containers[1].cpu, 64);
}

TEST(overrides_environment_on_a_container_without_one)
{
	_cleanup_(taskdef_freep) struct taskdef *td = NULL;
	const char *msg = merge("{\"containerOverrides\": [{\"name\": \"side\","
				" \"environment\": [{\"name\": \"X\", \"value\": \"y\"}]}]}", &td);
	if (msg)
		test_fail_at(__FILE__, __LINE__, "%s", msg);
	ASSERT_INT_EQ(td->containers[1].n_environment, 1);
	ASSERT_STR_EQ(td->containers[1].environment[0].value, "y");
	ASSERT_STR_EQ(td->containers[0].command[0], "old");
}

TEST(overrides_refuse_every_unimplemented_member_at_once)
{
	struct taskdef *td = NULL;
	const char *msg = merge(
		"{\"taskRoleArn\": \"arn:aws:iam::1:role/r\", \"inferenceAcceleratorOverrides\": [],"
		" \"ephemeralStorage\": {\"sizeInGiB\": 30}, \"executionRoleArn\": null,"
		" \"containerOverrides\": ["
		" {\"name\": \"app\", \"environmentFiles\": [{\"value\": \"x\", \"type\": \"s3\"}],"
		"  \"resourceRequirements\": [{\"type\": \"GPU\", \"value\": \"1\"}]},"
		" {\"name\": \"nope\", \"command\": [\"x\"]}]}", &td);
	ASSERT_TRUE(td == NULL);
	ASSERT_TRUE(msg);
	ASSERT_STR_EQ(msg, "tether does not implement overrides.taskRoleArn,"
			   " overrides.ephemeralStorage,"
			   " overrides.containerOverrides[0].environmentFiles,"
			   " overrides.containerOverrides[0].resourceRequirements,"
			   " overrides.containerOverrides[1].name (no container \"nope\" in the task"
			   " definition)");
}

TEST(overrides_bad_values_are_named)
{
	struct taskdef *td = NULL;
	ASSERT_CONTAINS(merge("{\"containerOverrides\": [{\"name\": \"app\", \"command\": \"ls\"}]}", &td),
			"overrides.containerOverrides[0].command: expected an array of strings");
	ASSERT_CONTAINS(merge("{\"containerOverrides\": [{\"name\": \"app\", \"cpu\": -1}]}", &td),
			"overrides.containerOverrides[0].cpu: expected a non-negative integer");
	ASSERT_CONTAINS(merge("{\"containerOverrides\": [{\"command\": [\"x\"]}]}", &td),
			"overrides.containerOverrides[0].name: required");
	ASSERT_CONTAINS(merge("{\"containerOverrides\": [{\"name\": \"app\"}, {\"name\": \"app\"}]}", &td),
			"overridden twice");
	ASSERT_CONTAINS(merge("{\"containerOverrides\": [{\"name\": \"app\", \"environment\":"
			      " [{\"name\": \"A\", \"value\": 1}]}]}", &td),
			"environment[0].value: expected a string");
	/* The merged definition is validated as any other: a memory override below the floor. */
	ASSERT_CONTAINS(merge("{\"memory\": \"1\"}", &td), "memory");
	ASSERT_TRUE(td == NULL);
}
