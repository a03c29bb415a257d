#include <stdio.h>
#include <string.h>

#include "agent/health/health_verdict.h"

static const char *const check_types[HEALTH_CHECK_COUNT] = {
	[HEALTH_STATE_STORE] = "STATE_STORE",
	[HEALTH_CGROUP_TREE] = "CGROUP_TREE",
	[HEALTH_IMAGE_STORE] = "IMAGE_STORE",
};

const char *health_check_type(enum health_check_kind kind)
{
	return kind < HEALTH_CHECK_COUNT ? check_types[kind] : "UNKNOWN";
}

bool health_verdict_record(struct health_verdict *v, const struct health_check_result *round,
			   time_t now)
{
	bool changed = !v->taken;
	for (int i = 0; i < HEALTH_CHECK_COUNT; i++) {
		const struct health_check_result *old = &v->checks[i], *new = &round[i];
		bool status_changed = !v->taken || old->ok != new->ok;
		if (status_changed)
			v->changed_at[i] = now;
		if (status_changed || strcmp(old->reason, new->reason) != 0)
			changed = true;
		v->checks[i] = *new;
		if (new->ok)
			v->checks[i].reason[0] = '\0';
	}
	v->taken = true;
	return changed;
}

bool health_verdict_ok(const struct health_verdict *v)
{
	if (!v->taken)
		return false;
	for (int i = 0; i < HEALTH_CHECK_COUNT; i++)
		if (!v->checks[i].ok)
			return false;
	return true;
}

const char *health_verdict_status(const struct health_verdict *v)
{
	if (!v->taken)
		return "INSUFFICIENT_DATA";
	return health_verdict_ok(v) ? "OK" : "IMPAIRED";
}

void health_verdict_reason(const struct health_verdict *v, char *buf, size_t size)
{
	size_t used = 0;
	buf[0] = '\0';
	for (int i = 0; v->taken && i < HEALTH_CHECK_COUNT && used < size; i++) {
		if (v->checks[i].ok)
			continue;
		int n = snprintf(buf + used, size - used, "%s%s", used ? "; " : "",
				 v->checks[i].reason);
		if (n < 0)
			break;
		used += (size_t)n;
	}
}

cJSON *health_verdict_json(const struct health_verdict *v)
{
	cJSON *o = cJSON_CreateObject();
	if (!o)
		return NULL;
	char reason[HEALTH_CHECK_COUNT * (HEALTH_REASON_MAX + 2)];
	health_verdict_reason(v, reason, sizeof(reason));
	cJSON_AddStringToObject(o, "status", health_verdict_status(v));
	if (reason[0])
		cJSON_AddStringToObject(o, "reason", reason);
	cJSON *checks = cJSON_AddArrayToObject(o, "checks");
	for (int i = 0; v->taken && checks && i < HEALTH_CHECK_COUNT; i++) {
		cJSON *c = cJSON_CreateObject();
		cJSON_AddStringToObject(c, "type", check_types[i]);
		cJSON_AddStringToObject(c, "status", v->checks[i].ok ? "OK" : "IMPAIRED");
		if (!v->checks[i].ok)
			cJSON_AddStringToObject(c, "reason", v->checks[i].reason);
		cJSON_AddItemToArray(checks, c);
	}
	return o;
}
