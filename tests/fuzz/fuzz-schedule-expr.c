/* ScheduleExpression text from PutRule: parsed, and when it parses, its next ticks from a few
 * times must each be later than the time asked from. */
#include <stdint.h>
#include <stdlib.h>

#include "hub/schedules/schedule_expr.h"
#include "tests/fuzz/fuzz_text.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *text = fuzz_text(data, size);
	if (!text)
		return 0;
	struct schedule s;
	struct error err = { 0 };
	if (schedule_parse(text, &s, &err) == 0) {
		static const int64_t from[] = { -5, 0, 951782400 /* 2000-02-29 */, 1796445600,
						7258118400 /* 2200-01-01 */ };
		for (size_t i = 0; i < sizeof(from) / sizeof(from[0]); i++) {
			int64_t next = schedule_next(&s, 1796445600, from[i]);
			if (next != -1 && next <= from[i])
				abort();
			if (s.kind == SCHEDULE_CRON && next != -1 && next % 60 != 0)
				abort();
		}
	} else if (!err.message[0]) {
		abort();
	}
	free(text);
	return 0;
}
