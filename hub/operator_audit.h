/* One log line per call that changes the hub's state (CreateActivation, CreateCluster,
 * RegisterTaskDefinition, RunTask, StopTask), accepted or refused: who (the access key id,
 * "dev", or "unauthenticated" with the key id the request named), from where, the operation
 * and its main identifiers, and the result (HTTP status, AWS error type). A JSON object after
 * "audit ", so that it can be read by programs. Only named fields of the request and answer
 * are taken: never a secret, a signature, an activation code or a free-text field. */
#pragma once

#include <stdbool.h>
#include <stddef.h>

#include "hub/operator_auth.h"

bool operator_call_mutates(const char *target);

/* The line, without the "audit " in front; NULL on allocation failure. Caller frees. */
char *operator_audit_line(const struct operator_caller *caller, const char *peer,
			  const char *target, const char *body, size_t size, int status,
			  const char *answer);
