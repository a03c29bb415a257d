/* EventBridge's rules (target prefix AWSEvents): PutRule, DescribeRule, ListRules,
 * EnableRule, DisableRule, DeleteRule, for schedules only; what a rule runs is in
 * hub/api_events_targets.c, when in hub/rule_firing.c. */
#include <errno.h>
#include <string.h>
#include <time.h>

#include "common/cleanup.h"
#include "hub/api_events.h"
#include "hub/schedules/rule_store.h"
#include "hub/schedules/schedule_expr.h"
#include "protocol/arn.h"
#include "protocol/json_value.h"

#define DESCRIPTION_MAX 512
#define DEFAULT_BUS_ARN ARN_EVENTS_PREFIX "event-bus/default"

int events_opt_string(const cJSON *req, const char *name, const char **ret, struct api_fault *f)
{
	if (api_opt_string(req, name, ret, f) < 0) {
		f->type = EVENTS_INVALID;
		return -EINVAL;
	}
	return 0;
}

int events_check_name(const char *what, const char *name, bool dots, struct api_fault *f)
{
	const char *allowed = dots ? "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._-"
				   : "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-";
	size_t n = strlen(name);
	if (n < 1 || n > RULE_NAME_MAX || strspn(name, allowed) != n)
		return api_fail(f, EVENTS_INVALID, "%s must be 1 to 64 letters, digits, %s'-' or '_'%s",
				what, dots ? "'.', " : "",
				dots ? "" : " (a rule's name is its tasks' startedBy, events-rule/NAME,"
					    " which takes no '.')");
	return 0;
}

/* Only the default event bus exists; it is named or absent. */
static int check_bus(const cJSON *req, struct api_fault *f)
{
	const char *bus;
	if (events_opt_string(req, "EventBusName", &bus, f) < 0)
		return -EINVAL;
	if (bus && strcmp(bus, "default") != 0 && strcmp(bus, DEFAULT_BUS_ARN) != 0)
		return api_fail(f, EVENTS_NOT_FOUND, "Event bus %.64s does not exist; tether has the"
				" default event bus only.", bus);
	return 0;
}

int events_rule_name(const cJSON *req, const char *member, const char **ret, struct api_fault *f)
{
	if (check_bus(req, f) < 0 || events_opt_string(req, member, ret, f) < 0)
		return -EINVAL;
	if (!*ret)
		return api_fail(f, EVENTS_INVALID, "%s is required", member);
	return events_check_name(member, *ret, true, f);
}

int events_rule_not_found(const char *name, struct api_fault *f)
{
	return api_fail(f, EVENTS_NOT_FOUND, "Rule %s does not exist on EventBus default.", name);
}

int events_page(const cJSON *req, cJSON *all, const char *key, cJSON *answer, const char *out,
		struct api_fault *f)
{
	long long limit;
	const char *token;
	if (api_opt_int(req, "Limit", 1, API_MAX_RESULTS, API_MAX_RESULTS, &limit, f) < 0 ||
	    api_opt_string(req, "NextToken", &token, f) < 0) {
		f->type = EVENTS_INVALID;
		return -EINVAL;
	}
	/* api_page cuts a list of keys; the objects of the page follow the keys it kept. */
	_cleanup_(cjson_deletep) cJSON *ask = cJSON_CreateObject();
	_cleanup_(cjson_deletep) cJSON *keys = cJSON_CreateObject();
	cJSON *list = cJSON_AddArrayToObject(keys, "keys");
	cJSON_AddNumberToObject(ask, "maxResults", (double)limit);
	if (token)
		cJSON_AddStringToObject(ask, "nextToken", token);
	const cJSON *item;
	cJSON_ArrayForEach(item, all) {
		const cJSON *k = cJSON_GetObjectItemCaseSensitive(item, key);
		cJSON_AddItemToArray(list, cJSON_CreateString(cJSON_IsString(k) ? k->valuestring : ""));
	}
	if (api_page(ask, keys, "keys", f) < 0) {
		f->type = EVENTS_INVALID;
		return -EINVAL;
	}
	cJSON *page = cJSON_AddArrayToObject(answer, out);
	const cJSON *first = list->child;
	bool in_page = false;
	int taken = 0, wanted = cJSON_GetArraySize(list);
	for (cJSON *o = first ? all->child : NULL, *next; o && taken < wanted; o = next) {
		next = o->next;
		const cJSON *k = cJSON_GetObjectItemCaseSensitive(o, key);
		in_page = in_page || (cJSON_IsString(k) && strcmp(k->valuestring, first->valuestring) == 0);
		if (in_page) {
			cJSON_AddItemToArray(page, cJSON_DetachItemViaPointer(all, o));
			taken++;
		}
	}
	const cJSON *more = cJSON_GetObjectItemCaseSensitive(keys, "nextToken");
	if (cJSON_IsString(more))
		cJSON_AddStringToObject(answer, "NextToken", more->valuestring);
	return 0;
}

int events_put_rule(struct hub_store *s, const cJSON *req, cJSON **ret, struct api_fault *f)
{
	const char *name, *schedule, *state, *description;
	if (check_bus(req, f) < 0 || events_opt_string(req, "Name", &name, f) < 0 ||
	    events_opt_string(req, "ScheduleExpression", &schedule, f) < 0 ||
	    events_opt_string(req, "State", &state, f) < 0 ||
	    events_opt_string(req, "Description", &description, f) < 0)
		return -EINVAL;
	if (!name)
		return api_fail(f, EVENTS_INVALID, "Name is required");
	if (events_check_name("Name", name, false, f) < 0)
		return -EINVAL;
	if (!schedule)
		return api_fail(f, EVENTS_INVALID, "ScheduleExpression is required: tether runs"
				" scheduled rules only (EventPattern is not implemented)");
	struct schedule parsed;
	struct error err = { 0 };
	if (schedule_parse(schedule, &parsed, &err) < 0)
		return api_fail(f, EVENTS_INVALID, "Parameter ScheduleExpression is not valid: %s",
				err.message);
	if (state && strcmp(state, "ENABLED") != 0 && strcmp(state, "DISABLED") != 0)
		return api_fail(f, EVENTS_INVALID, "State must be ENABLED or DISABLED; tether does not"
				" implement %.64s", state);
	if (description && strlen(description) > DESCRIPTION_MAX)
		return api_fail(f, EVENTS_INVALID, "Description is longer than %d characters",
				DESCRIPTION_MAX);
	struct rule_put p = { name, schedule, description, !state || strcmp(state, "ENABLED") == 0 };
	if (hub_store_begin(s, &err) < 0 || rule_store_put(s, &p, time(NULL), &err) < 0 ||
	    hub_store_commit(s, &err) < 0)
		return api_store_fail(f, &err);
	_cleanup_free_ char *arn = arn_rule(name);
	*ret = cJSON_CreateObject();
	cJSON_AddStringToObject(*ret, "RuleArn", arn ? arn : "");
	return 0;
}

int events_describe_rule(struct hub_store *s, const cJSON *req, cJSON **ret, struct api_fault *f)
{
	const char *name;
	if (events_rule_name(req, "Name", &name, f) < 0)
		return -EINVAL;
	*ret = rule_store_view(s, name);
	return *ret ? 0 : events_rule_not_found(name, f);
}

int events_list_rules(struct hub_store *s, const cJSON *req, cJSON **ret, struct api_fault *f)
{
	const char *prefix;
	if (check_bus(req, f) < 0 || events_opt_string(req, "NamePrefix", &prefix, f) < 0)
		return -EINVAL;
	struct error err = { 0 };
	_cleanup_(cjson_deletep) cJSON *names = cJSON_CreateArray();
	_cleanup_(cjson_deletep) cJSON *all = cJSON_CreateArray();
	if (rule_store_names(s, prefix, names, &err) < 0)
		return api_store_fail(f, &err);
	const cJSON *n;
	cJSON_ArrayForEach(n, names) {
		cJSON *rule = rule_store_view(s, n->valuestring);
		if (rule)
			cJSON_AddItemToArray(all, rule);
	}
	cJSON *o = cJSON_CreateObject();
	if (events_page(req, all, "Name", o, "Rules", f) < 0) {
		cJSON_Delete(o);
		return -EINVAL;
	}
	*ret = o;
	return 0;
}

static int set_enabled(struct hub_store *s, const cJSON *req, bool enabled, cJSON **ret,
		       struct api_fault *f)
{
	const char *name;
	if (events_rule_name(req, "Name", &name, f) < 0)
		return -EINVAL;
	struct error err = { 0 };
	if (hub_store_begin(s, &err) < 0)
		return api_store_fail(f, &err);
	int r = rule_store_set_enabled(s, name, enabled, time(NULL), &err);
	if (r < 0)
		return api_store_fail(f, &err);
	if (r > 0)
		return events_rule_not_found(name, f);
	if (hub_store_commit(s, &err) < 0)
		return api_store_fail(f, &err);
	*ret = cJSON_CreateObject();
	return 0;
}

int events_enable_rule(struct hub_store *s, const cJSON *req, cJSON **ret, struct api_fault *f)
{
	return set_enabled(s, req, true, ret, f);
}

int events_disable_rule(struct hub_store *s, const cJSON *req, cJSON **ret, struct api_fault *f)
{
	return set_enabled(s, req, false, ret, f);
}

/* As EventBridge: a rule with targets stays; deleting a rule that is not there does nothing. */
int events_delete_rule(struct hub_store *s, const cJSON *req, cJSON **ret, struct api_fault *f)
{
	const char *name;
	if (events_rule_name(req, "Name", &name, f) < 0)
		return -EINVAL;
	struct error err = { 0 };
	if (hub_store_begin(s, &err) < 0)
		return api_store_fail(f, &err);
	int r = rule_store_delete(s, name, &err);
	if (r < 0)
		return api_store_fail(f, &err);
	if (r == 2)
		return api_fail(f, EVENTS_INVALID, "Rule can't be deleted since it has targets.");
	if (hub_store_commit(s, &err) < 0)
		return api_store_fail(f, &err);
	*ret = cJSON_CreateObject();
	return 0;
}
