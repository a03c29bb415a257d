#include "common/backoff.h"

uint32_t backoff_delay_ms(unsigned attempt, uint32_t base_ms, uint32_t cap_ms,
			  unsigned jitter_percent, uint32_t random_value)
{
	uint64_t delay = base_ms;
	for (unsigned i = 0; i < attempt && delay < cap_ms; i++)
		delay *= 2;
	if (delay > cap_ms)
		delay = cap_ms;
	if (jitter_percent > 100)
		jitter_percent = 100;
	/* Jitter is taken off rather than added so the cap stays a true upper bound. */
	uint64_t jitter_span = delay * jitter_percent / 100;
	uint64_t jitter = jitter_span ? random_value % (jitter_span + 1) : 0;
	return (uint32_t)(delay - jitter);
}
