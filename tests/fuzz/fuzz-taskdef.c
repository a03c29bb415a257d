/* Task definitions come from operators through the hub's API and from the hub to every agent.
 * An input that is a JSON object goes through the registration's parse too, and what that
 * accepts and stores must pass the agent's strict parse. An input [definition, overrides] is
 * RunTask's override merge, whose result the strict parse then reads. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "protocol/json_value.h"
#include "protocol/taskdef.h"
#include "protocol/taskdef_overrides.h"
#include "protocol/taskdef_register.h"
#include "tests/fuzz/fuzz_text.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void strict_parse_of(const cJSON *json, bool must_pass)
{
	char *text = cJSON_PrintUnformatted(json);
	if (!text)
		return;
	struct taskdef *td = NULL;
	struct error err = { 0 };
	int r = taskdef_parse(text, strlen(text), &td, &err);
	if (must_pass && r < 0 && strlen(text) <= TASKDEF_MAX_TEXT)
		abort();
	taskdef_free(td);
	free(text);
}

static void register_and_merge(const uint8_t *data, size_t size)
{
	char *text = fuzz_text(data, size);
	cJSON *json = text ? cJSON_Parse(text) : NULL;
	free(text);
	struct error err = { 0 };
	if (cJSON_IsObject(json)) {
		struct taskdef *td = NULL;
		if (taskdef_from_register_json(json, &td, &err) == 0) {
			taskdef_free(td);
			strict_parse_of(json, true);
		}
	} else if (cJSON_IsArray(json) && cJSON_GetArraySize(json) == 2) {
		cJSON *def = cJSON_GetArrayItem(json, 0);
		if (cJSON_IsObject(def) &&
		    taskdef_apply_overrides(def, cJSON_GetArrayItem(json, 1), &err) == 0)
			strict_parse_of(def, false);
	}
	cJSON_Delete(json);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct taskdef *td = NULL;
	struct error err = { 0 };
	if (taskdef_parse((const char *)data, size, &td, &err) == 0) {
		/* Exercise the accessors on every accepted definition. */
		(void)taskdef_reserved_cpu(td);
		(void)taskdef_reserved_memory_mib(td);
		(void)taskdef_requests_limits(td);
		taskdef_free(td);
	}
	register_and_merge(data, size);
	return 0;
}
