/* POST /v1/register (docs/protocol.md): a one-time activation is exchanged for a node
 * identity. A pure function over (store, body) so tests and the fuzzer call it directly. */
#pragma once

#include <stdbool.h>
#include <stddef.h>

#include "hub/store.h"

#define REGISTER_BODY_MAX (64 * 1024)

/* host: the request's Host header (NULL when absent), used for connect_url. Returns the HTTP
 * status and the answer body (caller frees). */
int registration_handle(struct hub_store *s, const char *body, size_t size, const char *host,
			bool tls, char **ret_body);
