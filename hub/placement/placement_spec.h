/* What a placement asks beyond resources: memberOf expressions and distinctInstance
 * (placementConstraints of a request and of its task definition, combined as ECS combines
 * them), and placementStrategy, applied in order. Read from request JSON, checked, owned. */
#pragma once

#include <stdbool.h>
#include <stddef.h>

#include <cjson/cJSON.h>

#include "common/error.h"
#include "hub/placement/query.h"
#include "protocol/attribute.h"

/* ECS's limits: 10 constraints (definition's and request's together), 5 strategies. */
#define PLACEMENT_CONSTRAINTS_MAX 10
#define PLACEMENT_STRATEGIES_MAX 5

enum placement_strategy_type { PLACEMENT_SPREAD, PLACEMENT_BINPACK, PLACEMENT_RANDOM };
enum placement_field { PLACEMENT_FIELD_NONE, PLACEMENT_FIELD_INSTANCE, PLACEMENT_FIELD_ATTRIBUTE,
		       PLACEMENT_FIELD_CPU, PLACEMENT_FIELD_MEMORY };

struct placement_strategy {
	enum placement_strategy_type type;
	enum placement_field field;
	char attribute[ATTRIBUTE_TEXT_MAX + 1]; /* PLACEMENT_FIELD_ATTRIBUTE */
};

struct placement_spec {
	struct query *member_of[PLACEMENT_CONSTRAINTS_MAX];
	size_t n_member_of;
	bool distinct_instance;
	size_t n_constraints; /* memberOf and distinctInstance ones, against the limit */
	struct placement_strategy strategies[PLACEMENT_STRATEGIES_MAX];
	size_t n_strategies;
};

/* A memberOf expression (a task definition's); path names it in errors. */
int placement_spec_add_member_of(struct placement_spec *p, const char *expression,
				 const char *path, struct error *err);
/* A task definition's placementConstraints (memberOf expressions), which hold wherever its
 * tasks are placed: RunTask, services. */
struct taskdef;
int placement_spec_add_definition(struct placement_spec *p, const struct taskdef *td,
				  struct error *err);
/* A request's placementConstraints list ([{"type", "expression"}]). */
int placement_spec_add_constraints(struct placement_spec *p, const cJSON *list,
				   struct error *err);
/* A request's placementStrategy list ([{"type", "field"}]). */
int placement_spec_set_strategies(struct placement_spec *p, const cJSON *list,
				  struct error *err);
/* Whether it asks anything beyond resources. */
bool placement_spec_is_plain(const struct placement_spec *p);
void placement_spec_release(struct placement_spec *p);
