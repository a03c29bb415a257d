/* Timing of one wave of connections (the first start of the fleet, or its return after a hub
 * restart): when each agent's websocket came up and when it was welcomed, so that the wave's
 * length and the peak rate the hub admitted agents at can be reported. */
#pragma once

#include <stddef.h>
#include <stdint.h>

struct event_times {
	int64_t *us; /* monotonic microseconds, in the order recorded (non-decreasing) */
	size_t n, cap;
};

int event_times_add(struct event_times *t, int64_t us);
void event_times_clear(struct event_times *t);
void event_times_release(struct event_times *t);

/* Most events inside any window of window_us, scaled to events per second. */
double event_times_peak_rate(const struct event_times *t, int64_t window_us);
