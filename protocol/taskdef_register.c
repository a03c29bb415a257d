#include "protocol/taskdef_register.h"

#include <errno.h>
#include <stdlib.h>

#include "common/cleanup.h"
#include "protocol/json_value.h"

int taskdef_from_register_json(cJSON *json, struct taskdef **ret, struct error *err)
{
	_cleanup_free_ struct json_unknown_sink *sink = calloc(1, sizeof(*sink));
	if (!sink)
		return error_set(err, ENOMEM, "task definition: out of memory");
	struct taskdef *td = NULL;
	struct error parse_err = { 0 };
	json_unknown_gather(sink);
	int r = taskdef_from_json(json, &td, &parse_err);
	json_unknown_gather(NULL);
	if (sink->count) {
		taskdef_free(td);
		/* One field reads as the strict parse says it, so both name it alike. A wrong
		 * value met on the way is said after them. */
		const char *also = r < 0 ? "; " : "";
		const char *other = r < 0 ? parse_err.message : "";
		if (sink->count == 1)
			return error_set(err, EINVAL, "%s: field not supported by tether%s%.200s",
					 sink->names, also, other);
		return error_set(err, EINVAL, "unsupported fields: %s%s%.200s", sink->names, also,
				 other);
	}
	if (r < 0) {
		*err = parse_err;
		return r;
	}
	if (sink->absent_overflow) {
		taskdef_free(td);
		return error_set(err, E2BIG, "task definition: more than %d empty or null fields",
				 JSON_UNKNOWN_MAX_ABSENT);
	}
	for (size_t i = 0; i < sink->n_absent; i++)
		cJSON_Delete(cJSON_DetachItemViaPointer(sink->absent[i].parent,
							sink->absent[i].member));
	*ret = td;
	return 0;
}
