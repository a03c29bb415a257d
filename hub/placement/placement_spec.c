#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "hub/placement/placement_spec.h"
#include "protocol/taskdef.h"

static int count_constraint(struct placement_spec *p, struct error *err)
{
	if (p->n_constraints == PLACEMENT_CONSTRAINTS_MAX)
		return error_set(err, EINVAL,
				 "placementConstraints: at most %d, the task definition's and the"
				 " request's together", PLACEMENT_CONSTRAINTS_MAX);
	p->n_constraints++;
	return 0;
}

int placement_spec_add_member_of(struct placement_spec *p, const char *expression,
				 const char *path, struct error *err)
{
	int r = count_constraint(p, err);
	if (r < 0)
		return r;
	struct error qerr = { 0 };
	if (query_parse(expression, &p->member_of[p->n_member_of], &qerr) < 0)
		return error_set(err, EINVAL, "%s: %s", path, qerr.message);
	p->n_member_of++;
	return 0;
}

/* An item holds "type" and one other member, second; anything else is refused by name. */
static int refuse_other_members(const cJSON *item, const char *path, const char *second,
				struct error *err)
{
	const cJSON *m;
	cJSON_ArrayForEach(m, item)
		if (strcmp(m->string, "type") != 0 && strcmp(m->string, second) != 0)
			return error_set(err, EINVAL, "%s: tether does not implement the member %s",
					 path, m->string);
	return 0;
}

static int add_constraint(struct placement_spec *p, const cJSON *item, size_t i,
			  struct error *err)
{
	char path[64];
	snprintf(path, sizeof(path), "placementConstraints[%zu]", i);
	const char *type = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(item, "type"));
	const cJSON *expr = cJSON_GetObjectItemCaseSensitive(item, "expression");
	int r = refuse_other_members(item, path, "expression", err);
	if (r < 0)
		return r;
	if (!type)
		return error_set(err, EINVAL, "%s.type: required, memberOf or distinctInstance",
				 path);
	if (strcmp(type, "distinctInstance") == 0) {
		if (expr && !cJSON_IsNull(expr))
			return error_set(err, EINVAL,
					 "%s.expression: a distinctInstance constraint takes none", path);
		p->distinct_instance = true;
		return count_constraint(p, err);
	}
	if (strcmp(type, "memberOf") != 0)
		return error_set(err, EINVAL, "%s.type: \"%.32s\" is not memberOf or distinctInstance",
				 path, type);
	if (!cJSON_IsString(expr) || !expr->valuestring[0])
		return error_set(err, EINVAL, "%s.expression: required for memberOf", path);
	strcat(path, ".expression");
	return placement_spec_add_member_of(p, expr->valuestring, path, err);
}

int placement_spec_add_constraints(struct placement_spec *p, const cJSON *list,
				   struct error *err)
{
	if (!list || cJSON_IsNull(list))
		return 0;
	if (!cJSON_IsArray(list))
		return error_set(err, EINVAL, "placementConstraints: expected a list of objects");
	size_t i = 0;
	const cJSON *item;
	cJSON_ArrayForEach(item, list) {
		if (!cJSON_IsObject(item))
			return error_set(err, EINVAL, "placementConstraints[%zu]: expected an object", i);
		int r = add_constraint(p, item, i++, err);
		if (r < 0)
			return r;
	}
	return 0;
}

static int read_field(struct placement_strategy *st, const char *field, const char *path,
		      struct error *err)
{
	if (st->type == PLACEMENT_RANDOM)
		return 0; /* ECS: "not used" by random */
	if (!field)
		return error_set(err, EINVAL, "%s.field: required for %s", path,
				 st->type == PLACEMENT_SPREAD ? "spread" : "binpack");
	if (st->type == PLACEMENT_BINPACK) {
		if (strcmp(field, "cpu") == 0 || strcmp(field, "CPU") == 0)
			st->field = PLACEMENT_FIELD_CPU;
		else if (strcmp(field, "memory") == 0 || strcmp(field, "MEMORY") == 0)
			st->field = PLACEMENT_FIELD_MEMORY;
		else
			return error_set(err, EINVAL, "%s.field: binpack takes cpu or memory", path);
		return 0;
	}
	if (strcmp(field, "instanceId") == 0 || strcmp(field, "host") == 0) {
		st->field = PLACEMENT_FIELD_INSTANCE;
		return 0;
	}
	if (strncmp(field, "attribute:", 10) != 0 || !attribute_name_is_valid(field + 10))
		return error_set(err, EINVAL,
				 "%s.field: spread takes instanceId or attribute:NAME", path);
	st->field = PLACEMENT_FIELD_ATTRIBUTE;
	snprintf(st->attribute, sizeof(st->attribute), "%s", field + 10);
	return 0;
}

int placement_spec_set_strategies(struct placement_spec *p, const cJSON *list,
				  struct error *err)
{
	if (!list || cJSON_IsNull(list))
		return 0;
	if (!cJSON_IsArray(list))
		return error_set(err, EINVAL, "placementStrategy: expected a list of objects");
	if (cJSON_GetArraySize(list) > PLACEMENT_STRATEGIES_MAX)
		return error_set(err, EINVAL, "placementStrategy: at most %d strategies",
				 PLACEMENT_STRATEGIES_MAX);
	const cJSON *item;
	cJSON_ArrayForEach(item, list) {
		char path[64];
		snprintf(path, sizeof(path), "placementStrategy[%zu]", p->n_strategies);
		struct placement_strategy *st = &p->strategies[p->n_strategies];
		*st = (struct placement_strategy){ 0 };
		if (!cJSON_IsObject(item))
			return error_set(err, EINVAL, "%s: expected an object", path);
		int r = refuse_other_members(item, path, "field", err);
		if (r < 0)
			return r;
		const char *type = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(item, "type"));
		const cJSON *field = cJSON_GetObjectItemCaseSensitive(item, "field");
		if (field && !cJSON_IsString(field) && !cJSON_IsNull(field))
			return error_set(err, EINVAL, "%s.field: expected a string", path);
		if (type && strcmp(type, "spread") == 0)
			st->type = PLACEMENT_SPREAD;
		else if (type && strcmp(type, "binpack") == 0)
			st->type = PLACEMENT_BINPACK;
		else if (type && strcmp(type, "random") == 0)
			st->type = PLACEMENT_RANDOM;
		else
			return error_set(err, EINVAL, "%s.type: spread, binpack or random", path);
		r = read_field(st, cJSON_GetStringValue(field), path, err);
		if (r < 0)
			return r;
		p->n_strategies++;
	}
	return 0;
}

bool placement_spec_is_plain(const struct placement_spec *p)
{
	return !p->n_member_of && !p->distinct_instance && !p->n_strategies;
}

void placement_spec_release(struct placement_spec *p)
{
	for (size_t i = 0; i < p->n_member_of; i++)
		query_free(p->member_of[i]);
	*p = (struct placement_spec){ 0 };
}

int placement_spec_add_definition(struct placement_spec *p, const struct taskdef *td,
				  struct error *err)
{
	for (size_t i = 0; i < td->n_placement_expressions; i++) {
		char path[96];
		snprintf(path, sizeof(path), "the task definition's placementConstraints[%zu]", i);
		if (placement_spec_add_member_of(p, td->placement_expressions[i], path, err) < 0)
			return -EINVAL;
	}
	return 0;
}
