#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "common/cleanup.h"
#include "container/container_health.h"
#include "protocol/json_value.h"

static char **strv_copy(char *const *v)
{
	size_t n = 0;
	while (v[n])
		n++;
	char **copy = calloc(n + 1, sizeof(*copy));
	for (size_t i = 0; copy && i < n; i++)
		if (!(copy[i] = strdup(v[i]))) {
			json_strv_free(copy);
			return NULL;
		}
	return copy;
}

int container_health_resolve(const struct taskdef_health_check *def,
			     struct taskdef_health_check *ret)
{
	*ret = (struct taskdef_health_check){ 0 };
	if (!def->argv)
		return 0;
	*ret = *def;
	if (!(ret->argv = strv_copy(def->argv)))
		return -ENOMEM;
	return 0;
}

bool container_health_to_json(const struct taskdef_health_check *hc, cJSON *o)
{
	if (!hc->argv)
		return true;
	cJSON *h = cJSON_AddObjectToObject(o, "health_check");
	cJSON *argv = h ? cJSON_AddArrayToObject(h, "argv") : NULL;
	for (size_t i = 0; argv && hc->argv[i]; i++)
		if (!cJSON_AddItemToArray(argv, cJSON_CreateString(hc->argv[i])))
			return false;
	return argv && cJSON_AddNumberToObject(h, "interval", hc->interval) &&
	       cJSON_AddNumberToObject(h, "timeout", hc->timeout) &&
	       cJSON_AddNumberToObject(h, "retries", hc->retries) &&
	       cJSON_AddNumberToObject(h, "start_period", hc->start_period);
}

static bool seconds(const cJSON *h, const char *name, uint32_t min, uint32_t max,
		    uint32_t *ret)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(h, name);
	if (!cJSON_IsNumber(v) || v->valuedouble < min || v->valuedouble > max)
		return false;
	*ret = (uint32_t)v->valuedouble;
	return true;
}

int container_health_from_json(const cJSON *o, struct taskdef_health_check *ret)
{
	*ret = (struct taskdef_health_check){ 0 };
	const cJSON *h = cJSON_GetObjectItemCaseSensitive(o, "health_check");
	if (!h)
		return 0;
	struct taskdef_health_check hc = { 0 };
	char **argv = NULL;
	if (!seconds(h, "interval", TASKDEF_HEALTH_MIN_INTERVAL, TASKDEF_HEALTH_MAX_INTERVAL,
		     &hc.interval) ||
	    !seconds(h, "timeout", TASKDEF_HEALTH_MIN_TIMEOUT, TASKDEF_HEALTH_MAX_TIMEOUT,
		     &hc.timeout) ||
	    !seconds(h, "retries", TASKDEF_HEALTH_MIN_RETRIES, TASKDEF_HEALTH_MAX_RETRIES,
		     &hc.retries) ||
	    !seconds(h, "start_period", 0, TASKDEF_HEALTH_MAX_START_PERIOD, &hc.start_period) ||
	    json_get_string_array(cJSON_GetObjectItemCaseSensitive(h, "argv"), "health_check.argv",
				  TASKDEF_HEALTH_MAX_ARGS, 1 << 20, &argv, &(struct error){ 0 }) < 0)
		return -EINVAL;
	if (!argv[0]) {
		json_strv_free(argv);
		return -EINVAL;
	}
	hc.argv = argv;
	*ret = hc;
	return 0;
}
