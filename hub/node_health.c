#include <stdio.h>
#include <string.h>

#include "common/cleanup.h"
#include "hub/node_health.h"
#include "protocol/json_value.h"

static bool is_status(const char *s)
{
	return s && (!strcmp(s, "OK") || !strcmp(s, "IMPAIRED"));
}

static bool is_check_type(const char *s)
{
	if (!s || !*s || strlen(s) > 32)
		return false;
	for (const char *p = s; *p; p++)
		if (!((*p >= 'A' && *p <= 'Z') || *p == '_'))
			return false;
	return true;
}

static const cJSON *previous_check(const cJSON *previous, const char *type)
{
	const cJSON *c;
	cJSON_ArrayForEach(c, cJSON_GetObjectItemCaseSensitive(previous, "checks"))
	{
		const char *t = json_string_member(c, "type");
		if (t && !strcmp(t, type))
			return c;
	}
	return NULL;
}

static bool reason_ok(const cJSON *reason)
{
	return !reason || (cJSON_IsString(reason) &&
			   strlen(reason->valuestring) <= NODE_HEALTH_MAX_REASON);
}

/* One check of the agent's, stamped; NULL with WHY. */
static cJSON *merge_check(const cJSON *c, const cJSON *previous, double now, char *why,
			  size_t why_size)
{
	const char *type = json_string_member(c, "type"), *status = json_string_member(c, "status");
	const cJSON *reason = cJSON_GetObjectItemCaseSensitive(c, "reason");
	if (!is_check_type(type)) {
		snprintf(why, why_size, "health.checks[].type must be 1 to 32 capitals or '_'");
		return NULL;
	}
	if (!is_status(status) || !reason_ok(reason)) {
		snprintf(why, why_size, "health.checks[] %s: status must be OK or IMPAIRED, reason"
			 " a string of at most %d bytes", type, NODE_HEALTH_MAX_REASON);
		return NULL;
	}
	const cJSON *old = previous_check(previous, type);
	const char *old_status = json_string_member(old, "status");
	const cJSON *old_change = cJSON_GetObjectItemCaseSensitive(old, "changed_at");
	double changed_at = old_status && !strcmp(old_status, status) && cJSON_IsNumber(old_change)
				    ? old_change->valuedouble
				    : now;
	cJSON *o = cJSON_CreateObject();
	cJSON_AddStringToObject(o, "type", type);
	cJSON_AddStringToObject(o, "status", status);
	if (cJSON_IsString(reason) && strcmp(status, "OK") != 0)
		cJSON_AddStringToObject(o, "reason", reason->valuestring);
	cJSON_AddNumberToObject(o, "updated_at", now);
	cJSON_AddNumberToObject(o, "changed_at", changed_at);
	return o;
}

static bool facts_ok(const cJSON *facts)
{
	if (!facts)
		return true;
	if (!cJSON_IsObject(facts))
		return false;
	_cleanup_free_ char *text = cJSON_PrintUnformatted(facts);
	return text && strlen(text) <= NODE_HEALTH_MAX_FACTS;
}

cJSON *node_health_merge(const cJSON *health, const cJSON *previous, double now, char *why,
			 size_t why_size)
{
	const char *status = json_string_member(health, "status");
	const cJSON *checks = cJSON_GetObjectItemCaseSensitive(health, "checks");
	const cJSON *facts = cJSON_GetObjectItemCaseSensitive(health, "facts");
	if (!cJSON_IsObject(health) || !is_status(status)) {
		snprintf(why, why_size, "health.status must be OK or IMPAIRED");
		return NULL;
	}
	if (!cJSON_IsArray(checks) || cJSON_GetArraySize(checks) > NODE_HEALTH_MAX_CHECKS) {
		snprintf(why, why_size, "health.checks must be an array of at most %d checks",
			 NODE_HEALTH_MAX_CHECKS);
		return NULL;
	}
	if (!facts_ok(facts)) {
		snprintf(why, why_size, "health.facts must be an object of at most %d bytes",
			 NODE_HEALTH_MAX_FACTS);
		return NULL;
	}
	_cleanup_(cjson_deletep) cJSON *o = cJSON_CreateObject();
	cJSON_AddStringToObject(o, "status", status);
	cJSON_AddNumberToObject(o, "updated_at", now);
	cJSON *list = cJSON_AddArrayToObject(o, "checks");
	const cJSON *c;
	cJSON_ArrayForEach(c, checks)
	{
		cJSON *m = merge_check(c, previous, now, why, why_size);
		if (!m)
			return NULL;
		cJSON_AddItemToArray(list, m);
	}
	if (facts)
		cJSON_AddItemToObject(o, "facts", cJSON_Duplicate(facts, true));
	cJSON *result = o;
	o = NULL;
	return result;
}

static cJSON *stored_health(struct hub_store *s, const char *node_id, struct error *err)
{
	_cleanup_stmt_ sqlite3_stmt *st =
		hub_store_prepare(s, "SELECT health FROM nodes WHERE node_id = ?", err);
	if (!st)
		return NULL;
	sqlite3_bind_text(st, 1, node_id, -1, SQLITE_STATIC);
	return sqlite3_step(st) == SQLITE_ROW ? cJSON_Parse(col_text(st, 0)) : NULL;
}

int node_health_store(struct hub_store *s, const char *node_id, const cJSON *health,
		      char *why, size_t why_size, struct error *err)
{
	_cleanup_(cjson_deletep) cJSON *previous = stored_health(s, node_id, err);
	_cleanup_(cjson_deletep) cJSON *merged =
		node_health_merge(health, previous, hub_now(), why, why_size);
	if (!merged)
		return 1;
	_cleanup_free_ char *text = cJSON_PrintUnformatted(merged);
	if (!text)
		return error_set(err, ENOMEM, "out of memory");
	return hub_store_exec_text(s, "UPDATE nodes SET health = ? WHERE node_id = ?", err, 2,
				   text, node_id);
}

void node_health_view(const char *stored, bool connected, cJSON *instance)
{
	_cleanup_(cjson_deletep) cJSON *h = stored && *stored ? cJSON_Parse(stored) : NULL;
	const char *status = json_string_member(h, "status");
	cJSON *view = cJSON_AddObjectToObject(instance, "healthStatus");
	cJSON_AddStringToObject(view, "overallStatus",
				connected && status ? status : "INSUFFICIENT_DATA");
	cJSON *details = cJSON_AddArrayToObject(view, "details");
	char reason[4096] = "";
	size_t used = 0;
	const cJSON *c;
	cJSON_ArrayForEach(c, cJSON_GetObjectItemCaseSensitive(h, "checks"))
	{
		const char *check_status = json_string_member(c, "status");
		const char *why = json_string_member(c, "reason");
		cJSON *d = cJSON_CreateObject();
		cJSON_AddStringToObject(d, "type", json_string_member(c, "type"));
		cJSON_AddStringToObject(d, "status",
					connected && check_status ? check_status : "INSUFFICIENT_DATA");
		cJSON_AddItemToObject(d, "lastUpdated",
				      cJSON_Duplicate(cJSON_GetObjectItemCaseSensitive(c, "updated_at"), 0));
		cJSON_AddItemToObject(d, "lastStatusChange",
				      cJSON_Duplicate(cJSON_GetObjectItemCaseSensitive(c, "changed_at"), 0));
		cJSON_AddItemToArray(details, d);
		if (why && used < sizeof(reason)) {
			int n = snprintf(reason + used, sizeof(reason) - used, "%s%s: %s",
					 used ? "; " : "", json_string_member(c, "type"), why);
			used += n > 0 ? (size_t)n : 0;
		}
	}
	if (!connected && h)
		cJSON_AddStringToObject(instance, "statusReason",
					"agent not connected: its last health report is not current");
	else if (reason[0])
		cJSON_AddStringToObject(instance, "statusReason", reason);
}
