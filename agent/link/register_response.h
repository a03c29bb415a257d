/* The hub's answer to POST /v1/register (docs/protocol.md): the node identity on 200, or
 * {"error", "message"} on a 4xx. Outside input: every field is checked. */
#pragma once

#include <stddef.h>

#include "common/error.h"

struct register_result {
	char *node_id;
	char *container_instance_arn;
	char *cluster;
	char *connect_url;
};

/* Parse a 200 body. */
int register_response_parse(const char *body, size_t size, struct register_result *ret,
			    struct error *err);

/* Turn a refusal (status, body) into an error whose message is the hub's own sentence
 * ("activation expired"), or a generic one when the body says nothing usable. */
int register_refusal_parse(long status, const char *body, size_t size, struct error *err);

void register_result_release(struct register_result *r);
