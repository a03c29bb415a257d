/* The frames in which the node describes itself to the hub: hello (identity, signature over
 * the hub's nonce, resources, attributes) and node_status. */
#pragma once

#include <stddef.h>

#include <openssl/evp.h>

#include "agent/link/hostinfo.h"
#include "common/error.h"

/* Frame text, caller frees; NULL with err on failure. */
char *node_hello_frame(const char *node_id, EVP_PKEY *key, const char *nonce,
		       const struct hostinfo *host, struct error *err);

/* Frame text, caller frees; NULL on allocation failure. */
char *node_status_frame(size_t running_tasks, const struct hostinfo *host);
