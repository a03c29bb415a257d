/* A container instance's attributes: the agent's built-in ones and the operator's custom ones.
 *
 * The two are kept apart on purpose. Built-in ones are what the agent reports, in the JSON
 * column nodes.attributes, which every hello replaces whole: the node is the authority on its
 * architecture or version, and a stale value must not outlive a restart. Custom ones
 * (PutAttributes, `tether register --attribute`) belong to the operator and live in the table
 * node_attributes(node_id, name, value) here, one row each, so that a put or a delete is one
 * row and a hello never touches them. Readers see the union; names cannot clash because custom
 * names may not start with a built-in prefix (protocol/attribute.h). */
#pragma once

#include <stdbool.h>

#include <cjson/cJSON.h>

#include "hub/store/store.h"

/* An SQL expression giving node n's custom attributes as a JSON object ({} when none), for
 * statements that read nodes (alias n). */
#define NODE_ATTRIBUTES_CUSTOM_SQL                                                        \
	"(SELECT coalesce(json_group_object(a.name, a.value), '{}') FROM node_attributes a" \
	" WHERE a.node_id = n.node_id)"

/* value NULL: an attribute without a value. Replaces the value of one already there. */
int node_attributes_put(struct hub_store *s, const char *node_id, const char *name,
			const char *value, struct error *err);
int node_attributes_delete(struct hub_store *s, const char *node_id, const char *name,
			   struct error *err);
/* How many custom attributes the node has, or a negative errno. */
long long node_attributes_count(struct hub_store *s, const char *node_id, struct error *err);

/* One node's attributes read from the two JSON texts (built-in, custom). */
struct node_attributes {
	cJSON *builtin, *custom;
};
void node_attributes_read(struct node_attributes *a, const char *builtin_json,
			  const char *custom_json);
void node_attributes_release(struct node_attributes *a);
/* The lookup struct query_subject takes; data is a struct node_attributes. */
int node_attributes_lookup(void *data, const char *name, const char **ret_value);
/* ECS's list of {"name", "value"} (no "value" when it has none), built-in ones first. */
cJSON *node_attributes_view(const struct node_attributes *a);
