#include "common/cleanup.h"
#include "hub/fault.h"
#include "protocol/json_value.h"

char *fault_json(enum fault_shape shape, const char *type, const char *message)
{
	_cleanup_(cjson_deletep) cJSON *o = cJSON_CreateObject();
	if (!o || !cJSON_AddStringToObject(o, shape == FAULT_AWS_JSON ? "__type" : "error", type) ||
	    !cJSON_AddStringToObject(o, "message", message))
		return NULL;
	return cJSON_PrintUnformatted(o);
}
