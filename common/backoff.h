/* Retry delays (the hub link's reconnects, registry requests): exponential growth with a cap
 * and random jitter, so that a restarted server is not met by every agent at the same
 * instant. Pure computation; the caller supplies the
 * randomness. */
#pragma once

#include <stdint.h>

#define BACKOFF_BASE_MS 1000u
#define BACKOFF_CAP_MS 60000u
#define BACKOFF_JITTER_PERCENT 30u

/* Delay before retry number attempt (0 for the first retry): min(base * 2^attempt, cap),
 * minus a jitter of up to jitter_percent of that delay chosen by random_value. The result
 * never exceeds cap_ms and is never below (100 - jitter_percent)% of the un-jittered delay. */
uint32_t backoff_delay_ms(unsigned attempt, uint32_t base_ms, uint32_t cap_ms,
			  unsigned jitter_percent, uint32_t random_value);
