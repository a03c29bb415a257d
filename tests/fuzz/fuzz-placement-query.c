/* Cluster query expressions come from operators: memberOf constraints and instance filters. */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "hub/placement/query.h"
#include "tests/fuzz/fuzz_text.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int attribute(void *data, const char *name, const char **ret_value)
{
	(void)data;
	if (strcmp(name, "site") == 0) {
		*ret_value = "paris";
		return 1;
	}
	if (strcmp(name, "gpu") == 0) {
		*ret_value = NULL;
		return 1;
	}
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *text = fuzz_text(data, size);
	if (!text)
		return 0;
	struct query *q = NULL;
	struct error err = { 0 };
	if (query_parse(text, &q, &err) == 0) {
		struct query_subject s = { "mi-1", "abc", attribute, NULL };
		(void)query_match(q, &s);
		query_free(q);
	}
	free(text);
	return 0;
}
