/* The local API from the command line: one GET over the daemon's unix socket, its answer's
 * status and JSON body. */
#pragma once

#include <stddef.h>

#include <cjson/cJSON.h>

#include "common/error.h"

#define API_CLIENT_MAX_ANSWER (16u << 20)

/* GET PATH on the socket SOCKET_PATH, waiting at most 5 s: the answer's status in *ret_status
 * and its body parsed in *ret_body (NULL when it is not JSON). */
int api_client_get(const char *socket_path, const char *path, int *ret_status, cJSON **ret_body,
		   struct error *err);

/* Split an HTTP/1.1 answer TEXT (SIZE bytes) into its status and body (a pointer into TEXT,
 * of *ret_body_size bytes: all that follows the head, or Content-Length's worth). -EINVAL
 * when it is not an HTTP answer or its body is short. */
int api_client_parse_answer(const char *text, size_t size, int *ret_status,
			    const char **ret_body, size_t *ret_body_size);
