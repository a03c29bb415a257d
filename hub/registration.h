/* POST /v1/register (docs/protocol.md): a one-time activation is exchanged for a node
 * identity. A pure function over (store, body) so tests and the fuzzer call it directly. */
#pragma once

#include <stdbool.h>
#include <stddef.h>

#include "hub/store/store.h"

#define REGISTER_BODY_MAX (64 * 1024)
#define REGISTER_ID_MAX 64

/* host: the request's Host header (NULL when absent), used for connect_url. Returns the HTTP
 * status and the answer body (caller frees). *ret_wrong_activation (may be NULL) says whether
 * the refusal was for an unknown activation id or a wrong code, the guesses worth slowing. */
int registration_handle(struct hub_store *s, const char *body, size_t size, const char *host,
			bool tls, bool *ret_wrong_activation, char **ret_body);

/* The activation id a registration body names, before it is handled; -EINVAL when it names
 * none that registration could take. */
int registration_activation_id(const char *body, size_t size, char ret_id[REGISTER_ID_MAX + 1]);
