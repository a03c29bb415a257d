/* Number parsing with full-string and range checks (never atoi). Return 0 or -EINVAL/-ERANGE;
 * the output is written only on success. */
#pragma once

#include <stdint.h>

int parse_u64(const char *s, uint64_t min, uint64_t max, uint64_t *ret);
int parse_i64(const char *s, int64_t min, int64_t max, int64_t *ret);
