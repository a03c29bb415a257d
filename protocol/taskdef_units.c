#include "protocol/taskdef_units.h"

#include <ctype.h>
#include <errno.h>
#include <stdbool.h>
#include <string.h>
#include <strings.h>

#include "common/cleanup.h"
#include "protocol/json_value.h"

#define MAX_INTEGER_DIGITS 9
#define MAX_FRACTION_DIGITS 3

struct unit {
	const char *suffix;  /* compared without case; "" = a bare number */
	uint64_t multiplier; /* how many base units one of this unit is */
};

/* Parse "<digits>[.<up to 3 digits>][ ]<suffix>" into base units; the result must be whole. */
static int parse_quantity(const char *s, const struct unit *units, size_t n_units,
			  uint64_t *ret)
{
	uint64_t thousandths = 0;
	size_t digits = 0;
	for (; isdigit((unsigned char)*s); s++) {
		if (++digits > MAX_INTEGER_DIGITS)
			return -ERANGE;
		thousandths = thousandths * 10 + (uint64_t)(*s - '0');
	}
	if (digits == 0)
		return -EINVAL;
	size_t fraction_digits = 0;
	if (*s == '.') {
		s++;
		for (; isdigit((unsigned char)*s); s++) {
			if (++fraction_digits > MAX_FRACTION_DIGITS)
				return -EINVAL;
			thousandths = thousandths * 10 + (uint64_t)(*s - '0');
		}
		if (fraction_digits == 0)
			return -EINVAL;
	}
	for (size_t i = fraction_digits; i < MAX_FRACTION_DIGITS; i++)
		thousandths *= 10;
	if (*s == ' ')
		s++;
	for (size_t i = 0; i < n_units; i++) {
		if (strcasecmp(s, units[i].suffix) != 0)
			continue;
		/* A bare number counts base units and takes no fraction or space. */
		if (!units[i].suffix[0] && (fraction_digits || s[-1] == ' '))
			return -EINVAL;
		uint64_t scaled = thousandths * units[i].multiplier;
		if (scaled % 1000 != 0)
			return -EINVAL;
		*ret = scaled / 1000;
		return 0;
	}
	return -EINVAL;
}

static int parse_task_quantity(const cJSON *v, const char *path, const struct unit *units,
			       size_t n_units, uint64_t min, uint64_t max, const char *example,
			       uint32_t *ret, struct error *err)
{
	uint64_t n;
	if (cJSON_IsNumber(v)) {
		int r = json_get_uint(v, path, min, max, &n, err);
		if (r < 0)
			return r;
	} else if (cJSON_IsString(v) && v->valuestring) {
		if (strlen(v->valuestring) > 32 ||
		    parse_quantity(v->valuestring, units, n_units, &n) < 0)
			return error_set(err, EINVAL, "%s: \"%.32s\" is not a valid value (%s)",
					 path, v->valuestring, example);
		if (n < min || n > max)
			return error_set(err, ERANGE, "%s: \"%s\" is outside %llu..%llu", path,
					 v->valuestring, (unsigned long long)min,
					 (unsigned long long)max);
	} else {
		return error_set(err, EINVAL, "%s: expected a string (%s)", path, example);
	}
	*ret = (uint32_t)n;
	return 0;
}

int taskdef_parse_task_cpu(const cJSON *v, const char *path, uint32_t *ret, struct error *err)
{
	static const struct unit units[] = { { "", 1 }, { "vcpu", 1024 } };
	return parse_task_quantity(v, path, units, ELEMENTSOF(units), TASKDEF_MIN_TASK_CPU,
				   TASKDEF_MAX_TASK_CPU, "cpu units such as \"256\", or \"0.5 vCPU\"",
				   ret, err);
}

int taskdef_parse_task_memory(const cJSON *v, const char *path, uint32_t *ret,
			      struct error *err)
{
	static const struct unit units[] = {
		{ "", 1 }, { "mib", 1 }, { "mb", 1 }, { "gib", 1024 }, { "gb", 1024 },
	};
	return parse_task_quantity(v, path, units, ELEMENTSOF(units),
				   TASKDEF_MIN_MEMORY_MIB, TASKDEF_MAX_MEMORY_MIB,
				   "MiB such as \"512\", or \"1 GB\"", ret, err);
}
