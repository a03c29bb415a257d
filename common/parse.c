#include "common/parse.h"

#include <ctype.h>
#include <errno.h>
#include <string.h>
#include <stdlib.h>

int parse_u64(const char *s, uint64_t min, uint64_t max, uint64_t *ret)
{
	if (!s || !isdigit((unsigned char)s[0]))
		return -EINVAL;
	char *end = NULL;
	errno = 0;
	unsigned long long v = strtoull(s, &end, 10);
	if (errno == ERANGE)
		return -ERANGE;
	if (*end != '\0')
		return -EINVAL;
	if (v < min || v > max)
		return -ERANGE;
	*ret = v;
	return 0;
}

int parse_i64(const char *s, int64_t min, int64_t max, int64_t *ret)
{
	if (!s || !(isdigit((unsigned char)s[0]) || (s[0] == '-' && isdigit((unsigned char)s[1]))))
		return -EINVAL;
	char *end = NULL;
	errno = 0;
	long long v = strtoll(s, &end, 10);
	if (errno == ERANGE)
		return -ERANGE;
	if (*end != '\0')
		return -EINVAL;
	if (v < min || v > max)
		return -ERANGE;
	*ret = v;
	return 0;
}

const struct parse_unit parse_size_units[] = {
	{ "", 1 }, { "K", 1ULL << 10 }, { "M", 1ULL << 20 }, { "G", 1ULL << 30 },
	{ "T", 1ULL << 40 }, { NULL, 0 },
};
const struct parse_unit parse_duration_units[] = {
	{ "", 1 }, { "s", 1 }, { "m", 60 }, { "h", 3600 }, { "d", 86400 }, { NULL, 0 },
};

int parse_u64_with_unit(const char *s, const struct parse_unit *units, uint64_t min, uint64_t max,
			uint64_t *ret)
{
	size_t digits = strspn(s, "0123456789");
	if (digits == 0 || digits > 20)
		return -EINVAL;
	char number[21];
	memcpy(number, s, digits);
	number[digits] = '\0';
	uint64_t multiplier = 0, value = 0;
	for (const struct parse_unit *u = units; u->suffix; u++)
		if (!strcmp(s + digits, u->suffix))
			multiplier = u->multiplier;
	if (!multiplier || parse_u64(number, 0, UINT64_MAX, &value) < 0)
		return -EINVAL;
	if (value > UINT64_MAX / multiplier || value * multiplier < min || value * multiplier > max)
		return -ERANGE;
	*ret = value * multiplier;
	return 0;
}
