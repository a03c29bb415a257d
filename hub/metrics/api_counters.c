#include <stdio.h>
#include <string.h>

#include "hub/metrics/api_counters.h"

void api_counters_add(struct api_counters *c, const char *target, bool known, int status)
{
	const char *dot = known && target ? strrchr(target, '.') : NULL;
	char operation[64];
	snprintf(operation, sizeof(operation), "%s", dot ? dot + 1 : "unknown");
	for (size_t i = 0; i < c->n; i++)
		if (c->entries[i].status == status && !strcmp(c->entries[i].operation, operation)) {
			c->entries[i].count++;
			return;
		}
	if (c->n == API_COUNTERS_MAX) {
		c->uncounted++;
		return;
	}
	struct api_counter *e = &c->entries[c->n++];
	snprintf(e->operation, sizeof(e->operation), "%s", operation);
	e->status = status;
	e->count = 1;
}
