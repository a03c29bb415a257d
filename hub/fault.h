/* The body of a refusal, in the shape its caller reads: the operator API's clients (the aws
 * CLI) read AWS's JSON protocol, {"__type": TYPE, "message": ...}; the agent's registration
 * reads {"error": CODE, "message": ...}. */
#pragma once

enum fault_shape { FAULT_AWS_JSON, FAULT_REGISTRATION };

/* The JSON text (caller frees), NULL when out of memory. */
char *fault_json(enum fault_shape shape, const char *type, const char *message);
