/* ECS's cluster query language, as memberOf placement constraints and ListContainerInstances'
 * filter take it: "attribute:site == paris and not attribute:gpu exists". Text from operators
 * is parsed once into a tree, then evaluated against each container instance. */
#pragma once

#include <stdbool.h>

#include "common/error.h"

/* ECS's limit on a constraint expression. */
#define QUERY_TEXT_MAX 2000

struct query;

/* What an expression is evaluated against: one container instance. */
struct query_subject {
	/* The instance's ids: ec2InstanceId matches either. */
	const char *ec2_instance_id, *container_instance_id;
	/* 1 with *ret_value (NULL for an attribute without a value) when the instance has the
	 * attribute, else 0. */
	int (*attribute)(void *data, const char *name, const char **ret_value);
	void *data;
};

/* Parse text; -EINVAL with err naming the position (1-based) and what is wrong. */
int query_parse(const char *text, struct query **ret, struct error *err);
void query_free(struct query *q);
static inline void query_freep(struct query **q)
{
	query_free(*q);
}

bool query_match(const struct query *q, const struct query_subject *subject);
