/* dependsOn and startTimeout of task definitions: what is parsed, and every refusal. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/cleanup.h"
#include "protocol/taskdef.h"
#include "protocol/taskdef_depends.h"
#include "tests/unit/test.h"

/* Parse "{family, containerDefinitions: [CONTAINERS]}"; NULL on success (td then set when
 * asked for, else freed), the error message otherwise. */
static const char *parse(const char *containers, struct taskdef **td)
{
	static struct error err;
	static char text[8192];
	error_clear(&err);
	snprintf(text, sizeof(text), "{\"family\": \"f\", \"containerDefinitions\": [%s]}",
		 containers);
	struct taskdef *parsed = NULL;
	if (taskdef_parse(text, strlen(text), &parsed, &err) < 0)
		return err.message;
	if (td)
		*td = parsed;
	else
		taskdef_free(parsed);
	return NULL;
}

#define C(name, rest) "{\"name\": \"" name "\", \"image\": \"i\"" rest "}"
#define DEP(name, cond) "{\"containerName\": \"" name "\", \"condition\": \"" cond "\"}"

TEST(depends_parsed)
{
	_cleanup_(taskdef_freep) struct taskdef *td = NULL;
	const char *e = parse(C("init", ", \"essential\": false, \"startTimeout\": 5") ","
			      C("db", ", \"essential\": false") ","
			      C("app", ", \"dependsOn\": [" DEP("init", "SUCCESS") ", "
				DEP("db", "START") "]") ","
			      C("side", ", \"dependsOn\": [" DEP("app", "START") ", "
				DEP("init", "COMPLETE") "]"),
			      &td);
	if (e)
		test_fail_at(__FILE__, __LINE__, "%s", e);
	ASSERT_INT_EQ(td->containers[0].start_timeout, 5);
	ASSERT_INT_EQ(td->containers[0].n_depends_on, 0);
	ASSERT_INT_EQ(td->containers[1].start_timeout, 0);
	const struct taskdef_container *app = &td->containers[2];
	ASSERT_INT_EQ(app->n_depends_on, 2);
	ASSERT_STR_EQ(app->depends_on[0].container_name, "init");
	ASSERT_INT_EQ(app->depends_on[0].condition, TASKDEF_CONDITION_SUCCESS);
	ASSERT_STR_EQ(app->depends_on[1].container_name, "db");
	ASSERT_INT_EQ(app->depends_on[1].condition, TASKDEF_CONDITION_START);
	ASSERT_INT_EQ(td->containers[3].depends_on[0].condition, TASKDEF_CONDITION_START);
	ASSERT_INT_EQ(td->containers[3].depends_on[1].condition, TASKDEF_CONDITION_COMPLETE);
	ASSERT_STR_EQ(taskdef_condition_name(TASKDEF_CONDITION_COMPLETE), "COMPLETE");
	ASSERT_INT_EQ(taskdef_container_index(td, "side"), 3);
	ASSERT_INT_EQ(taskdef_container_index(td, "nope"), -1);
}

TEST(depends_entry_refused_with_the_field_named)
{
	ASSERT_CONTAINS(parse(C("a", ", \"dependsOn\": {}") "," C("b", ""), NULL),
			"containerDefinitions[0].dependsOn: expected an array of {containerName, condition}");
	ASSERT_CONTAINS(parse(C("a", ", \"dependsOn\": [{\"condition\": \"START\"}]") "," C("b", ""), NULL),
			"containerDefinitions[0].dependsOn[0].containerName: required");
	ASSERT_CONTAINS(parse(C("a", ", \"dependsOn\": [{\"containerName\": \"b\"}]") "," C("b", ""), NULL),
			"containerDefinitions[0].dependsOn[0].condition: required");
	ASSERT_CONTAINS(parse(C("a", ", \"dependsOn\": [" DEP("b", "RUNNING") "]") "," C("b", ""), NULL),
			"containerDefinitions[0].dependsOn[0].condition: \"RUNNING\" is not one of START, "
			"COMPLETE, SUCCESS, HEALTHY");
	ASSERT_CONTAINS(parse(C("a", ", \"dependsOn\": [" DEP("b", "start") "]") "," C("b", ""), NULL),
			"dependsOn[0].condition: \"start\" is not one of");
	ASSERT_CONTAINS(parse(C("a", ", \"dependsOn\": [{\"containerName\": \"b\", \"condition\": 1}]")
			      "," C("b", ""), NULL),
			"containerDefinitions[0].dependsOn[0].condition: expected a string");
	ASSERT_CONTAINS(parse(C("a", ", \"dependsOn\": [{\"containerName\": \"b\", \"condition\": "
				"\"START\", \"after\": 1}]") "," C("b", ""), NULL),
			"containerDefinitions[0].dependsOn[0].after: field not supported by tether");
	ASSERT_CONTAINS(parse(C("a", ", \"dependsOn\": [" DEP("b", "START") ", " DEP("b", "COMPLETE") "]")
			      "," C("b", ", \"essential\": false"), NULL),
			"containerDefinitions[0].dependsOn[1].containerName: \"b\" is given twice");
}

TEST(depends_start_timeout_bounds)
{
	ASSERT_TRUE(parse(C("a", ", \"startTimeout\": 2"), NULL) == NULL);
	ASSERT_TRUE(parse(C("a", ", \"startTimeout\": 120"), NULL) == NULL);
	ASSERT_CONTAINS(parse(C("a", ", \"startTimeout\": 1"), NULL),
			"containerDefinitions[0].startTimeout");
	ASSERT_CONTAINS(parse(C("a", ", \"startTimeout\": 121"), NULL),
			"containerDefinitions[0].startTimeout");
	ASSERT_CONTAINS(parse(C("a", ", \"startTimeout\": \"5\""), NULL),
			"containerDefinitions[0].startTimeout");
	ASSERT_CONTAINS(parse(C("a", ", \"startTimeout\": 2.5"), NULL),
			"containerDefinitions[0].startTimeout");
}

TEST(depends_names_checked_across_the_task)
{
	ASSERT_CONTAINS(parse(C("a", ", \"dependsOn\": [" DEP("db", "START") "]") "," C("b", ""), NULL),
			"containerDefinitions[0].dependsOn[0].containerName: no container named \"db\" in the task");
	ASSERT_CONTAINS(parse(C("a", "") "," C("b", ", \"dependsOn\": [" DEP("a", "START") ", "
					  DEP("b", "START") "]"), NULL),
			"containerDefinitions[1].dependsOn[1].containerName: \"b\" cannot depend on itself");
}

TEST(depends_complete_and_success_refuse_an_essential_dependency)
{
	ASSERT_CONTAINS(parse(C("a", "") "," C("b", ", \"dependsOn\": [" DEP("a", "COMPLETE") "]"), NULL),
			"containerDefinitions[1].dependsOn[0].condition: COMPLETE cannot be set on \"a\", "
			"an essential container");
	ASSERT_CONTAINS(parse(C("a", ", \"essential\": true") ","
			      C("b", ", \"dependsOn\": [" DEP("a", "SUCCESS") "]"), NULL),
			"containerDefinitions[1].dependsOn[0].condition: SUCCESS cannot be set on \"a\"");
	/* START may wait for an essential container. */
	ASSERT_TRUE(parse(C("a", "") "," C("b", ", \"dependsOn\": [" DEP("a", "START") "]"), NULL) == NULL);
}

TEST(depends_healthy_needs_a_health_check)
{
	ASSERT_CONTAINS(parse(C("a", "") "," C("b", ", \"dependsOn\": [" DEP("a", "HEALTHY") "]"), NULL),
			"containerDefinitions[1].dependsOn[0].condition: HEALTHY needs a healthCheck on \"a\"");
	ASSERT_TRUE(parse(C("a", ", \"healthCheck\": {\"command\": [\"CMD\", \"true\"]}") ","
			  C("b", ", \"dependsOn\": [" DEP("a", "HEALTHY") "]"), NULL) == NULL);
}

TEST(depends_cycle_refused_by_name)
{
	ASSERT_CONTAINS(parse(C("a", ", \"dependsOn\": [" DEP("b", "START") "]") ","
			      C("b", ", \"dependsOn\": [" DEP("a", "START") "]"), NULL),
			"containerDefinitions[0].dependsOn: a cycle a -> b -> a");
	/* The cycle is named from where it closes, not from where the walk began. */
	ASSERT_CONTAINS(parse(C("web", ", \"dependsOn\": [" DEP("x", "START") "]") ","
			      C("x", ", \"dependsOn\": [" DEP("y", "START") "]") ","
			      C("y", ", \"dependsOn\": [" DEP("z", "START") "]") ","
			      C("z", ", \"dependsOn\": [" DEP("x", "START") "]"), NULL),
			"containerDefinitions[1].dependsOn: a cycle x -> y -> z -> x");
	/* Shared dependencies (a diamond) are no cycle. */
	ASSERT_TRUE(parse(C("a", ", \"dependsOn\": [" DEP("b", "START") ", " DEP("c", "START") "]") ","
			  C("b", ", \"dependsOn\": [" DEP("d", "START") "]") ","
			  C("c", ", \"dependsOn\": [" DEP("d", "START") "]") "," C("d", ""), NULL) == NULL);
}
