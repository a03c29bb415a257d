/* The cluster query language: what parses, what it matches, and how refusals name the place. */
#include <stdlib.h>
#include <string.h>

#include "common/cleanup.h"
#include "hub/placement/query.h"
#include "tests/unit/test.h"

/* name=value pairs; a name without '=' is an attribute without a value. */
static int lookup(void *data, const char *name, const char **ret_value)
{
	static char value[128];
	for (const char *const *a = data; *a; a++) {
		size_t n = strcspn(*a, "=");
		if (strlen(name) != n || strncmp(*a, name, n) != 0)
			continue;
		if ((*a)[n] == '=') {
			snprintf(value, sizeof(value), "%s", *a + n + 1);
			*ret_value = value;
		} else {
			*ret_value = NULL;
		}
		return 1;
	}
	return 0;
}

static const char *const paris_arm[] = { "site=paris", "ecs.cpu-architecture=arm64", "gpu",
					 NULL };

static bool matches(const char *text)
{
	struct error err = { 0 };
	_cleanup_(query_freep) struct query *q = NULL;
	if (query_parse(text, &q, &err) < 0)
		test_fail_at(__FILE__, __LINE__, "'%s' did not parse: %s", text, err.message);
	struct query_subject s = { "mi-0123", "abc123", lookup, (void *)paris_arm };
	return query_match(q, &s);
}

static void refused(const char *text, const char *message)
{
	struct error err = { 0 };
	struct query *q = NULL;
	if (query_parse(text, &q, &err) == 0) {
		query_free(q);
		test_fail_at(__FILE__, __LINE__, "'%s' parsed", text);
	}
	ASSERT_TRUE(q == NULL);
	ASSERT_CONTAINS(err.message, message);
}

TEST(query_comparisons)
{
	ASSERT_TRUE(matches("attribute:site == paris"));
	ASSERT_TRUE(matches("attribute:site==paris"));
	ASSERT_TRUE(!matches("attribute:site == lyon"));
	ASSERT_TRUE(matches("attribute:site != lyon"));
	ASSERT_TRUE(matches("attribute:nothere != lyon"));
	ASSERT_TRUE(matches("attribute:site equals 'paris'"));
	ASSERT_TRUE(matches("attribute:ecs.cpu-architecture == arm64"));
	ASSERT_TRUE(matches("attribute:site in [lyon, paris]"));
	ASSERT_TRUE(!matches("attribute:site in [lyon, \"nice\"]"));
	ASSERT_TRUE(matches("attribute:site not_in [lyon]"));
	ASSERT_TRUE(matches("attribute:site !in [lyon]"));
	ASSERT_TRUE(!matches("attribute:site not in [paris]"));
	ASSERT_TRUE(matches("attribute:gpu exists"));
	ASSERT_TRUE(!matches("attribute:gpu == yes"));
	ASSERT_TRUE(!matches("attribute:tpu exists"));
	ASSERT_TRUE(matches("attribute:tpu !exists"));
	ASSERT_TRUE(matches("attribute:tpu not_exists"));
	ASSERT_TRUE(matches("attribute:site =~ pa.*"));
	ASSERT_TRUE(!matches("attribute:site =~ par"));
	ASSERT_TRUE(matches("attribute:site !~ lyon|nice"));
	ASSERT_TRUE(matches("attribute:site =~ lyon|p.r*is"));
	ASSERT_TRUE(matches("attribute:site =~ pa*r.s"));
	ASSERT_TRUE(!matches("attribute:site =~ p.r"));
	ASSERT_TRUE(matches("ec2InstanceId =~ mi-.*"));
}

TEST(query_instance_ids)
{
	ASSERT_TRUE(matches("ec2InstanceId == mi-0123"));
	ASSERT_TRUE(matches("ec2InstanceId == abc123"));
	ASSERT_TRUE(matches("ec2InstanceId in ['mi-9', 'mi-0123']"));
	ASSERT_TRUE(!matches("ec2InstanceId != mi-0123"));
	ASSERT_TRUE(matches("ec2InstanceId not_in [mi-9]"));
}

TEST(query_logic)
{
	ASSERT_TRUE(matches("attribute:site == paris and attribute:gpu exists"));
	ASSERT_TRUE(!matches("attribute:site == paris && attribute:tpu exists"));
	ASSERT_TRUE(matches("attribute:site == lyon or attribute:gpu exists"));
	ASSERT_TRUE(matches("not attribute:site == lyon"));
	ASSERT_TRUE(matches("!(attribute:site == lyon)"));
	/* and binds tighter than or */
	ASSERT_TRUE(matches("attribute:site == paris or attribute:a exists and attribute:b exists"));
	ASSERT_TRUE(!matches("(attribute:site == paris or attribute:a exists) and attribute:b exists"));
	ASSERT_TRUE(matches("((((attribute:site == paris))))"));
}

TEST(query_refusals_name_the_place)
{
	refused("", "position 1: expected a subject");
	refused("attribute:site ==", "position 18: expected a value, found the end");
	refused("attribute:site = paris", "position 16: unexpected character '='");
	refused("attribute:site == paris and", "position 28: expected a subject");
	refused("attribute:site in [a, b", "expected ',' or ']'");
	refused("attribute:site in a", "position 19: expected '['");
	refused("(attribute:site exists", "expected ')'");
	refused("attribute:site exists paris", "position 23: expected 'and', 'or' or the end");
	refused("runningTasksCount > 2", "tether does not implement the subject runningTasksCount");
	refused("task:group == service:web", "does not implement the subject task:group");
	refused("attribute:n > 2", "position 13: tether does not implement the operator '>'");
	refused("attribute:site == 'paris", "position 19: quote never closed");
	refused("attribute:site =~ a{1000}", "with '.', '*' and '|' only");
	refused("attribute:site =~ ly(on|s)", "with '.', '*' and '|' only");
	refused("attribute:site =~ a**", "'*' must follow a character");
	refused("ec2InstanceId exists", "ec2InstanceId always exists");
	refused("attribute:x not == y", "expected 'in' or 'exists' after the negation");
	char deep[200] = "";
	for (int i = 0; i < 40; i++)
		strcat(deep, "(");
	strcat(deep, "attribute:a exists");
	refused(deep, "nested deeper than 32");
	char *longer = malloc(QUERY_TEXT_MAX + 2);
	ASSERT_TRUE(longer);
	memset(longer, 'a', QUERY_TEXT_MAX + 1);
	longer[QUERY_TEXT_MAX + 1] = '\0';
	struct error err = { 0 };
	struct query *q = NULL;
	ASSERT_TRUE(query_parse(longer, &q, &err) < 0);
	free(longer);
	ASSERT_CONTAINS(err.message, "at most 2000 characters");
}
