/* POST of the registration body to HUB/v1/register over libcurl: TLS verified for https
 * (system CA bundle or ca_file), plain http only towards loopback hosts, bounded time and
 * answer size. */
#pragma once

#include <stddef.h>

#include "common/error.h"

#define REGISTER_ANSWER_MAX (64 * 1024)

/* True when url is http(s) and plain http only with a loopback host. */
int register_check_hub_url(const char *url, struct error *err);

/* POST json_body; *ret_status is the HTTP status, *ret_body the answer (NUL-terminated,
 * caller frees). */
int register_post(const char *hub_url, const char *ca_file, const char *json_body,
		  long *ret_status, char **ret_body, size_t *ret_size, struct error *err);
