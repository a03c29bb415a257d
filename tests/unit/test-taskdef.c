#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "common/cleanup.h"
#include "protocol/taskdef.h"
#include "tests/unit/test.h"

static const char realistic[] =
	"{\"family\": \"web-app\", \"cpu\": \"0.5 vCPU\", \"memory\": \"1 GB\","
	" \"networkMode\": \"host\", \"requiresCompatibilities\": [\"EXTERNAL\", \"EC2\"],"
	" \"containerDefinitions\": ["
	"  {\"name\": \"app\", \"image\": \"oci:/srv/images/app:1.2\", \"essential\": true,"
	"   \"entryPoint\": [\"/bin/sh\", \"-c\"], \"command\": [\"exec app --port 8080\"],"
	"   \"environment\": [{\"name\": \"MODE\", \"value\": \"prod\"}, {\"name\": \"EMPTY\"}],"
	"   \"workingDirectory\": \"/srv\", \"user\": \"1000:1000\", \"hostname\": \"web-1\","
	"   \"cpu\": 256, \"memory\": 512, \"memoryReservation\": 256, \"stopTimeout\": 10},"
	"  {\"name\": \"sidecar\", \"image\": \"docker.io/library/busybox:1.36\","
	"   \"essential\": false, \"memoryReservation\": 64}]}";

/* Parse text expecting failure; returns the error message (static) or NULL when it parsed. */
static const char *parse_error(const char *text)
{
	static struct error err;
	struct taskdef *td = NULL;
	error_clear(&err);
	if (taskdef_parse(text, strlen(text), &td, &err) == 0) {
		taskdef_free(td);
		return NULL;
	}
	return err.message;
}

/* A minimal valid definition with extra container fields spliced in. */
static const char *container_error(const char *fields)
{
	static char text[4096];
	snprintf(text, sizeof(text),
		 "{\"family\": \"f\", \"containerDefinitions\": [{\"name\": \"a\", \"image\": \"i\"%s%s}]}",
		 fields[0] ? ", " : "", fields);
	return parse_error(text);
}

static const char *task_error(const char *fields)
{
	static char text[4096];
	snprintf(text, sizeof(text),
		 "{\"family\": \"f\", \"containerDefinitions\": [{\"name\": \"a\", \"image\": \"i\"}]%s%s}",
		 fields[0] ? ", " : "", fields);
	return parse_error(text);
}

TEST(taskdef_realistic)
{
	struct error err = { 0 };
	_cleanup_(taskdef_freep) struct taskdef *td = NULL;
	int r = taskdef_parse(realistic, strlen(realistic), &td, &err);
	if (r < 0)
		test_fail_at(__FILE__, __LINE__, "%s", err.message);
	ASSERT_INT_EQ(r, 0);
	ASSERT_STR_EQ(td->family, "web-app");
	ASSERT_INT_EQ(td->cpu, 512);
	ASSERT_INT_EQ(td->memory_mib, 1024);
	ASSERT_STR_EQ(td->network_mode, "host");
	ASSERT_INT_EQ(td->n_containers, 2);
	const struct taskdef_container *app = &td->containers[0];
	ASSERT_STR_EQ(app->name, "app");
	ASSERT_STR_EQ(app->image, "oci:/srv/images/app:1.2");
	ASSERT_TRUE(app->essential);
	ASSERT_STR_EQ(app->entry_point[0], "/bin/sh");
	ASSERT_STR_EQ(app->entry_point[1], "-c");
	ASSERT_TRUE(app->entry_point[2] == NULL);
	ASSERT_STR_EQ(app->command[0], "exec app --port 8080");
	ASSERT_INT_EQ(app->n_environment, 2);
	ASSERT_STR_EQ(app->environment[0].name, "MODE");
	ASSERT_STR_EQ(app->environment[0].value, "prod");
	ASSERT_STR_EQ(app->environment[1].value, "");
	ASSERT_STR_EQ(app->working_directory, "/srv");
	ASSERT_STR_EQ(app->user, "1000:1000");
	ASSERT_STR_EQ(app->hostname, "web-1");
	ASSERT_INT_EQ(app->cpu, 256);
	ASSERT_INT_EQ(app->memory_mib, 512);
	ASSERT_INT_EQ(app->memory_reservation_mib, 256);
	ASSERT_INT_EQ(app->stop_timeout, 10);
	const struct taskdef_container *sidecar = &td->containers[1];
	ASSERT_TRUE(!sidecar->essential);
	ASSERT_TRUE(sidecar->command == NULL && sidecar->entry_point == NULL);
	ASSERT_TRUE(sidecar->working_directory == NULL && sidecar->user == NULL);
	ASSERT_INT_EQ(sidecar->stop_timeout, TASKDEF_DEFAULT_STOP_TIMEOUT);
	ASSERT_INT_EQ(taskdef_reserved_cpu(td), 512);
	ASSERT_INT_EQ(taskdef_reserved_memory_mib(td), 1024);
	ASSERT_TRUE(taskdef_requests_limits(td));
}

TEST(taskdef_minimal_defaults)
{
	const char *text = "{\"family\": \"f\", \"containerDefinitions\": [{\"name\": \"a\", \"image\": \"i\"}]}";
	struct error err = { 0 };
	_cleanup_(taskdef_freep) struct taskdef *td = NULL;
	ASSERT_INT_EQ(taskdef_parse(text, strlen(text), &td, &err), 0);
	ASSERT_TRUE(td->network_mode == NULL);
	ASSERT_TRUE(td->containers[0].essential);
	ASSERT_INT_EQ(td->containers[0].stop_timeout, 30);
	ASSERT_INT_EQ(taskdef_reserved_cpu(td), 0);
	ASSERT_INT_EQ(taskdef_reserved_memory_mib(td), 0);
	ASSERT_TRUE(!taskdef_requests_limits(td));
}

TEST(taskdef_reserved_sums_containers)
{
	const char *text = "{\"family\": \"f\", \"containerDefinitions\": ["
			   "{\"name\": \"a\", \"image\": \"i\", \"cpu\": 100, \"memory\": 300, \"memoryReservation\": 100},"
			   "{\"name\": \"b\", \"image\": \"i\", \"cpu\": 28, \"memoryReservation\": 50},"
			   "{\"name\": \"c\", \"image\": \"i\"}]}";
	struct error err = { 0 };
	_cleanup_(taskdef_freep) struct taskdef *td = NULL;
	ASSERT_INT_EQ(taskdef_parse(text, strlen(text), &td, &err), 0);
	ASSERT_INT_EQ(taskdef_reserved_cpu(td), 128);
	ASSERT_INT_EQ(taskdef_reserved_memory_mib(td), 350);
	ASSERT_TRUE(taskdef_requests_limits(td));
}

TEST(taskdef_task_cpu_memory_forms)
{
	static const struct {
		const char *json;
		uint32_t cpu, memory;
	} cases[] = {
		{ "\"cpu\": \"256\", \"memory\": \"512\"", 256, 512 },
		{ "\"cpu\": \"1 vCPU\", \"memory\": \"2 GB\"", 1024, 2048 },
		{ "\"cpu\": \"2vcpu\", \"memory\": \"2GB\"", 2048, 2048 },
		{ "\"cpu\": \"0.25 vCPU\", \"memory\": \"0.5 GB\"", 256, 512 },
		{ "\"cpu\": \"0.125 VCPU\", \"memory\": \"512 MiB\"", 128, 512 },
		{ "\"cpu\": 1024, \"memory\": 4096", 1024, 4096 },
	};
	for (size_t i = 0; i < ELEMENTSOF(cases); i++) {
		char text[512];
		snprintf(text, sizeof(text),
			 "{\"family\": \"f\", %s, \"containerDefinitions\": [{\"name\": \"a\", \"image\": \"i\"}]}",
			 cases[i].json);
		struct error err = { 0 };
		_cleanup_(taskdef_freep) struct taskdef *td = NULL;
		if (taskdef_parse(text, strlen(text), &td, &err) < 0) {
			test_fail_at(__FILE__, __LINE__, "%s: %s", cases[i].json, err.message);
			return;
		}
		ASSERT_INT_EQ(td->cpu, cases[i].cpu);
		ASSERT_INT_EQ(td->memory_mib, cases[i].memory);
	}
}

TEST(taskdef_task_cpu_memory_refused)
{
	ASSERT_CONTAINS(task_error("\"cpu\": \"0.1 vCPU\""), "cpu:");
	ASSERT_CONTAINS(task_error("\"cpu\": \"-256\""), "cpu:");
	ASSERT_CONTAINS(task_error("\"cpu\": -256"), "cpu: expected a non-negative integer");
	ASSERT_CONTAINS(task_error("\"cpu\": \"64\""), "outside 128..196608");
	ASSERT_CONTAINS(task_error("\"cpu\": \"1 cores\""), "cpu:");
	ASSERT_CONTAINS(task_error("\"cpu\": \"\""), "cpu:");
	ASSERT_CONTAINS(task_error("\"cpu\": \"256.\""), "cpu:");
	ASSERT_CONTAINS(task_error("\"cpu\": \"99999999999999999999 vCPU\""), "cpu:");
	ASSERT_CONTAINS(task_error("\"cpu\": true"), "cpu: expected a string");
	ASSERT_CONTAINS(task_error("\"memory\": \"5\""), "memory:");
	ASSERT_CONTAINS(task_error("\"memory\": \"1 TB\""), "memory:");
	ASSERT_CONTAINS(task_error("\"memory\": 1e300"), "memory:");
	ASSERT_CONTAINS(task_error("\"memory\": 512.5"), "memory: expected a non-negative integer");
}

TEST(taskdef_unknown_fields_named_with_path)
{
	ASSERT_STR_EQ(container_error("\"portMappings\": []"),
		      "containerDefinitions[0].portMappings: field not supported by tether");
	ASSERT_STR_EQ(task_error("\"inferenceAccelerators\": []"),
		      "inferenceAccelerators: field not supported by tether");
	ASSERT_STR_EQ(container_error("\"environment\": [{\"name\": \"A\", \"value\": \"1\", \"type\": \"x\"}]"),
		      "containerDefinitions[0].environment[0].type: field not supported by tether");
	/* Field names are case-sensitive, as in ECS. */
	ASSERT_STR_EQ(container_error("\"Memory\": 64"),
		      "containerDefinitions[0].Memory: field not supported by tether");
	ASSERT_CONTAINS(container_error("\"memory\": 64, \"memory\": 64"), "memory: field given twice");
}

TEST(taskdef_wrong_types_name_expected_type)
{
	ASSERT_STR_EQ(container_error("\"essential\": \"yes\""),
		      "containerDefinitions[0].essential: expected true or false");
	ASSERT_STR_EQ(container_error("\"command\": \"ls -l\""),
		      "containerDefinitions[0].command: expected an array of strings");
	ASSERT_STR_EQ(container_error("\"command\": [\"ls\", 5]"),
		      "containerDefinitions[0].command[1]: expected a string");
	ASSERT_STR_EQ(container_error("\"cpu\": \"256\""),
		      "containerDefinitions[0].cpu: expected a non-negative integer");
	ASSERT_STR_EQ(container_error("\"environment\": {\"A\": \"1\"}"),
		      "containerDefinitions[0].environment: expected an array of {name, value}");
	ASSERT_CONTAINS(parse_error("{\"family\": 5, \"containerDefinitions\": []}"),
			"family: expected a string");
	ASSERT_CONTAINS(parse_error("{\"family\": \"f\", \"containerDefinitions\": {}}"),
			"containerDefinitions: expected an array");
	ASSERT_CONTAINS(parse_error("[]"), "expected a JSON object");
}

TEST(taskdef_required_and_names)
{
	ASSERT_STR_EQ(parse_error("{\"containerDefinitions\": [{\"name\": \"a\", \"image\": \"i\"}]}"),
		      "family: required");
	ASSERT_STR_EQ(parse_error("{\"family\": \"f\"}"), "containerDefinitions: required");
	ASSERT_CONTAINS(parse_error("{\"family\": \"f\", \"containerDefinitions\": []}"),
			"expected 1 to 10 containers");
	ASSERT_STR_EQ(parse_error("{\"family\": \"f\", \"containerDefinitions\": [{\"name\": \"a\"}]}"),
		      "containerDefinitions[0].image: required");
	ASSERT_STR_EQ(parse_error("{\"family\": \"f\", \"containerDefinitions\": [{\"image\": \"i\"}]}"),
		      "containerDefinitions[0].name: required");
	ASSERT_CONTAINS(parse_error("{\"family\": \"f\", \"containerDefinitions\": [{\"name\": \"a\", \"image\": \"\"}]}"),
			"image: must not be empty");
	ASSERT_CONTAINS(parse_error("{\"family\": \"my app\", \"containerDefinitions\": [{\"name\": \"a\", \"image\": \"i\"}]}"),
			"family: only letters");
	ASSERT_CONTAINS(parse_error("{\"family\": \"f\", \"containerDefinitions\": [{\"name\": \"a/b\", \"image\": \"i\"}]}"),
			"name: only letters");
	char long_family[400];
	snprintf(long_family, sizeof(long_family),
		 "{\"family\": \"%0256d\", \"containerDefinitions\": [{\"name\": \"a\", \"image\": \"i\"}]}", 0);
	ASSERT_CONTAINS(parse_error(long_family), "family: longer than 255 bytes");
}

TEST(taskdef_duplicates_and_essential)
{
	ASSERT_STR_EQ(parse_error("{\"family\": \"f\", \"containerDefinitions\": ["
				  "{\"name\": \"a\", \"image\": \"i\"}, {\"name\": \"a\", \"image\": \"j\"}]}"),
		      "containerDefinitions[1].name: \"a\" is used by two containers");
	ASSERT_CONTAINS(container_error("\"environment\": [{\"name\": \"A\", \"value\": \"1\"}, {\"name\": \"A\", \"value\": \"2\"}]"),
			"environment[1].name: \"A\" is given twice");
	ASSERT_CONTAINS(container_error("\"environment\": [{\"name\": \"A=B\", \"value\": \"1\"}]"),
			"environment[0].name: must not contain '='");
	ASSERT_CONTAINS(container_error("\"essential\": false"), "at least one container must be essential");
}

TEST(taskdef_container_limits)
{
	ASSERT_CONTAINS(container_error("\"cpu\": -1"), "cpu: expected a non-negative integer");
	ASSERT_CONTAINS(container_error("\"cpu\": 262145"), "outside 0..262144");
	ASSERT_CONTAINS(container_error("\"cpu\": 1e400"), "cpu: expected a non-negative integer");
	ASSERT_CONTAINS(container_error("\"memory\": 5"), "memory: 5 is outside 6..");
	ASSERT_CONTAINS(container_error("\"memory\": 18446744073709551616"), "memory:");
	ASSERT_CONTAINS(container_error("\"memory\": 100, \"memoryReservation\": 200"),
			"memoryReservation: 200 MiB is more than memory (100 MiB)");
	ASSERT_CONTAINS(container_error("\"stopTimeout\": 121"), "stopTimeout: 121 is outside 0..120");
	ASSERT_TRUE(container_error("\"stopTimeout\": 0") == NULL);
	ASSERT_TRUE(container_error("\"memoryReservation\": 200") == NULL);
	ASSERT_CONTAINS(container_error("\"workingDirectory\": \"srv\""), "must be an absolute path");
	ASSERT_CONTAINS(container_error("\"hostname\": \"bad host\""), "not a valid hostname");
	ASSERT_CONTAINS(container_error("\"image\": \"j\""), "image: field given twice");
	ASSERT_CONTAINS(parse_error("{\"family\": \"f\", \"containerDefinitions\": [{\"name\": \"a\", \"image\": \"a b\"}]}"),
			"image: must not contain spaces");
}

TEST(taskdef_network_and_compatibilities)
{
	ASSERT_TRUE(task_error("\"networkMode\": \"none\"") == NULL);
	ASSERT_STR_EQ(task_error("\"networkMode\": \"bridge\""),
		      "networkMode: \"bridge\" is not supported yet (use \"host\" or \"none\")");
	ASSERT_CONTAINS(task_error("\"networkMode\": \"awsvpc\""), "not supported yet");
	ASSERT_CONTAINS(task_error("\"networkMode\": \"nat\""), "is not one of host, none");
	ASSERT_CONTAINS(task_error("\"requiresCompatibilities\": [\"FARGATE\"]"),
			"FARGATE is not supported by tether");
	ASSERT_CONTAINS(task_error("\"requiresCompatibilities\": [\"EXTERNAL\", 1]"),
			"requiresCompatibilities[1]: expected a string");
	ASSERT_CONTAINS(task_error("\"requiresCompatibilities\": \"EC2\""), "expected an array");
}

TEST(taskdef_hostile_text)
{
	/* Deep nesting is refused by the JSON parser's own limit, not by a stack overflow. */
	size_t depth = 100000;
	char *deep = malloc(2 * depth + 1);
	ASSERT_TRUE(deep != NULL);
	memset(deep, '[', depth);
	memset(deep + depth, ']', depth);
	deep[2 * depth] = '\0';
	struct error err = { 0 };
	struct taskdef *td = NULL;
	int r = taskdef_parse(deep, 2 * depth, &td, &err);
	free(deep);
	ASSERT_TRUE(r < 0);
	ASSERT_CONTAINS(err.message, "larger than");
	ASSERT_CONTAINS(parse_error("{\"family\": \"f\", \"containerDefinitions\": [{\"name\": \"a\", \"image\": \"i\", \"x\": [[[[[[[[[[]]]]]]]]]]}]}"),
			"containerDefinitions[0].x: field not supported");
	char nested[4000];
	memset(nested, '[', 1500);
	memset(nested + 1500, ']', 1500);
	nested[3000] = '\0';
	ASSERT_CONTAINS(parse_error(nested), "not valid JSON");
	ASSERT_CONTAINS(parse_error("{\"family\": \"f\""), "not valid JSON");
	ASSERT_CONTAINS(parse_error("{} {}"), "text after the JSON value");
	ASSERT_TRUE(parse_error("{\"family\": \"f\", \"containerDefinitions\": [{\"name\": \"a\", \"image\": \"i\"}]}\n") == NULL);
	char eleven[2048] = "{\"family\": \"f\", \"containerDefinitions\": [";
	for (int i = 0; i < 11; i++) {
		char c[64];
		snprintf(c, sizeof(c), "%s{\"name\": \"c%d\", \"image\": \"i\"}", i ? "," : "", i);
		strcat(eleven, c);
	}
	strcat(eleven, "]}");
	ASSERT_CONTAINS(parse_error(eleven), "expected 1 to 10 containers");
}

TEST(taskdef_from_json_leaves_ret_untouched_on_error)
{
	cJSON *json = cJSON_Parse("{\"family\": \"f\", \"containerDefinitions\": [{\"name\": \"a\", \"image\": \"i\", \"links\": []}]}");
	ASSERT_TRUE(json != NULL);
	struct taskdef *td = (struct taskdef *)0x1;
	struct error err = { 0 };
	int r = taskdef_from_json(json, &td, &err);
	cJSON_Delete(json);
	ASSERT_TRUE(r < 0);
	ASSERT_TRUE(td == (struct taskdef *)0x1);
	ASSERT_INT_EQ(err.code, 22);
}

TEST(taskdef_refuses_nul_characters)
{
	/* cJSON would cut the image at the NUL: the agent would run another image than the one
	 * the operator sees in the stored definition. */
	ASSERT_CONTAINS(container_error("\"image\": \"alpine\\u0000evil\""), "must not contain NUL");
	const char text[] = "{\"family\": \"f\", \"containerDefinitions\": [{\"name\": \"a\", \"image\": \"i\0x\"}]}";
	struct error err = { 0 };
	struct taskdef *td = NULL;
	ASSERT_INT_EQ(taskdef_parse(text, sizeof(text) - 1, &td, &err), -EINVAL);
	ASSERT_CONTAINS(err.message, "must not contain NUL");
	/* An escaped backslash before u0000 is plain text, not a NUL. */
	ASSERT_TRUE(container_error("\"user\": \"a\\\\u0000\"") == NULL);
	ASSERT_TRUE(container_error("\"user\": \"\\\"\\u0041\"") == NULL);
}

TEST(taskdef_user_forms)
{
	ASSERT_TRUE(container_error("\"user\": \"nobody\"") == NULL);
	ASSERT_TRUE(container_error("\"user\": \"1000:www-data\"") == NULL);
	ASSERT_CONTAINS(container_error("\"user\": \"0:0:0\""), "is not USER or USER:GROUP");
	ASSERT_CONTAINS(container_error("\"user\": \":0\""), "is not USER or USER:GROUP");
	ASSERT_CONTAINS(container_error("\"user\": \"0:\""), "is not USER or USER:GROUP");
}

TEST(taskdef_log_configuration)
{
	static const char text[] =
		"{\"family\": \"f\", \"containerDefinitions\": [{\"name\": \"a\", \"image\": \"i\","
		" \"logConfiguration\": {\"logDriver\": \"json-file\","
		"  \"options\": {\"max-size\": \"10M\", \"max-file\": \"4\"}}},"
		" {\"name\": \"b\", \"image\": \"i\", \"logConfiguration\": {\"logDriver\": \"journald\","
		"  \"options\": {\"tag\": \"web\"}}}, {\"name\": \"c\", \"image\": \"i\"}]}";
	struct error err = { 0 };
	_cleanup_(taskdef_freep) struct taskdef *td = NULL;
	ASSERT_INT_EQ(taskdef_parse(text, strlen(text), &td, &err), 0);
	ASSERT_TRUE(td->containers[0].log.driver == &log_driver_json_file);
	ASSERT_INT_EQ(td->containers[0].log.options.max_size, 10 * 1024 * 1024);
	ASSERT_INT_EQ(td->containers[0].log.options.max_file, 4);
	ASSERT_TRUE(td->containers[1].log.driver == &log_driver_journald);
	ASSERT_STR_EQ(td->containers[1].log.options.tag, "web");
	ASSERT_TRUE(td->containers[2].log.driver == NULL);
}

TEST(taskdef_log_sizes_as_docker)
{
	uint64_t n;
	ASSERT_INT_EQ(log_parse_size("4096", &n), 0);
	ASSERT_INT_EQ(n, 4096);
	ASSERT_INT_EQ(log_parse_size("512k", &n), 0);
	ASSERT_INT_EQ(n, 512 * 1024);
	ASSERT_INT_EQ(log_parse_size("1g", &n), 0);
	ASSERT_INT_EQ(n, 1024 * 1024 * 1024);
	ASSERT_INT_EQ(log_parse_size("10mb", &n), 0);
	ASSERT_INT_EQ(n, 10 * 1024 * 1024);
	ASSERT_INT_EQ(log_parse_size("10MB", &n), 0);
	ASSERT_TRUE(log_parse_size("", &n) < 0);
	ASSERT_TRUE(log_parse_size("m", &n) < 0);
	ASSERT_TRUE(log_parse_size("1.5m", &n) < 0);
	ASSERT_TRUE(log_parse_size("-1m", &n) < 0);
	ASSERT_TRUE(log_parse_size("10x", &n) < 0);
	ASSERT_TRUE(log_parse_size("10b", &n) < 0);
	ASSERT_TRUE(log_parse_size("99999999999999999999g", &n) < 0);
}

TEST(taskdef_log_refusals)
{
	ASSERT_CONTAINS(container_error("\"logConfiguration\": {\"logDriver\": \"awslogs\"}"),
			"containerDefinitions[0].logConfiguration.logDriver: \"awslogs\" is not "
			"supported by tether (supported: json-file, journald)");
	ASSERT_CONTAINS(container_error("\"logConfiguration\": {\"options\": {}}"),
			"logConfiguration.logDriver: required");
	ASSERT_CONTAINS(container_error("\"logConfiguration\": {\"logDriver\": \"json-file\","
					" \"options\": {\"labels\": \"a\"}}"),
			"logConfiguration.options.labels: option not supported by tether's "
			"json-file driver (supported: max-size, max-file)");
	ASSERT_CONTAINS(container_error("\"logConfiguration\": {\"logDriver\": \"journald\","
					" \"options\": {\"max-size\": \"1m\"}}"),
			"logConfiguration.options.max-size: option not supported by tether's "
			"journald driver (supported: tag)");
	ASSERT_CONTAINS(container_error("\"logConfiguration\": {\"logDriver\": \"journald\","
					" \"secretOptions\": [{\"name\": \"x\", \"valueFrom\": \"y\"}]}"),
			"logConfiguration.secretOptions: field not supported");
	ASSERT_CONTAINS(container_error("\"logConfiguration\": {\"logDriver\": \"json-file\","
					" \"options\": {\"max-size\": \"1k\"}}"),
			"logConfiguration.options.max-size: expected a size from 4k");
	ASSERT_CONTAINS(container_error("\"logConfiguration\": {\"logDriver\": \"json-file\","
					" \"options\": {\"max-file\": \"0\"}}"),
			"logConfiguration.options.max-file: expected a number of files from 1");
	ASSERT_CONTAINS(container_error("\"logConfiguration\": {\"logDriver\": \"json-file\","
					" \"options\": {\"max-file\": 3}}"),
			"logConfiguration.options.max-file: expected a string");
	ASSERT_CONTAINS(container_error("\"logConfiguration\": {\"logDriver\": \"journald\","
					" \"options\": {\"tag\": \"{{.Name}}\"}}"),
			"templates are not supported");
	ASSERT_CONTAINS(container_error("\"logConfiguration\": {\"logDriver\": \"journald\","
					" \"options\": {\"tag\": \"a\", \"tag\": \"b\"}}"),
			"logConfiguration.options.tag: given twice");
	ASSERT_CONTAINS(container_error("\"logConfiguration\": {\"logDriver\": \"journald\","
					" \"mode\": \"non-blocking\"}"),
			"logConfiguration.mode: field not supported");
}

TEST(taskdef_placement_constraints)
{
	static const char text[] =
		"{\"family\": \"f\", \"containerDefinitions\": [{\"name\": \"a\", \"image\": \"i\"}],"
		" \"placementConstraints\": [{\"type\": \"memberOf\", \"expression\":"
		" \"attribute:site == paris\"}]}";
	struct error err = { 0 };
	_cleanup_(taskdef_freep) struct taskdef *td = NULL;
	ASSERT_INT_EQ(taskdef_parse(text, strlen(text), &td, &err), 0);
	ASSERT_INT_EQ(td->n_placement_expressions, 1);
	ASSERT_STR_EQ(td->placement_expressions[0], "attribute:site == paris");
	ASSERT_TRUE(task_error("\"placementConstraints\": []") == NULL);
	ASSERT_STR_EQ(task_error("\"placementConstraints\": [{\"type\": \"distinctInstance\"}]"),
		      "placementConstraints[0].type: a task definition takes memberOf constraints only");
	ASSERT_STR_EQ(task_error("\"placementConstraints\": [{\"type\": \"memberOf\"}]"),
		      "placementConstraints[0].expression: required");
	ASSERT_CONTAINS(task_error("\"placementConstraints\": [{\"type\": \"memberOf\","
				   " \"expression\": \"x\", \"note\": 1}]"),
			"placementConstraints[0].note");
	ASSERT_CONTAINS(task_error("\"placementConstraints\": {}"), "expected an array");
}
