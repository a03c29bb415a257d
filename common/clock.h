/* Time for timeouts and intervals: CLOCK_MONOTONIC, which wall clock changes do not move. */
#pragma once

#include <stdint.h>

/* CLOCK_MONOTONIC in milliseconds. */
int64_t monotonic_ms(void);
