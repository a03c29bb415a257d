/* Bearer tokens kept for this process's later pulls, until they expire: a node that pulls the
 * same repository for every task start (the default pull behaviour asks the registry each
 * time) asks its token server once per token lifetime, not once per pull. Keyed by what asked
 * for the token (realm, service, scope) and who got it (the user, or none). Thread-safe. */
#pragma once

#include <stdint.h>

/* The Authorization value kept for KEY while it has more than a few seconds left (the caller
 * frees it), or NULL. */
char *registry_token_lookup(const char *key);
/* Keep AUTHORIZATION for KEY until EXPIRES_MS (the monotonic clock's). */
void registry_token_keep(const char *key, const char *authorization, uint64_t expires_ms);
/* The registry refused it after all (revoked): the next pull asks again. */
void registry_token_forget(const char *key);
