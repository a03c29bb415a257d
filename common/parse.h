/* Number parsing with full-string and range checks (never atoi). Return 0 or -EINVAL/-ERANGE;
 * the output is written only on success. */
#pragma once

#include <stdint.h>

int parse_u64(const char *s, uint64_t min, uint64_t max, uint64_t *ret);
int parse_i64(const char *s, int64_t min, int64_t max, int64_t *ret);

/* A number with an optional unit suffix from UNITS, a list of { suffix, multiplier } ending
 * with { NULL, 0 }: "10G" with { "G", 1 << 30 }. The product must lie within [min, max]. */
struct parse_unit {
	const char *suffix;
	uint64_t multiplier;
};
/* Bytes with K, M, G, T (powers of 1024); seconds with s, m, h, d. A bare number is bytes or
 * seconds. */
extern const struct parse_unit parse_size_units[];
extern const struct parse_unit parse_duration_units[];

int parse_u64_with_unit(const char *s, const struct parse_unit *units, uint64_t min, uint64_t max,
			uint64_t *ret);
