/* The service manager's watchdog (WatchdogSec= in the unit): systemd passes $WATCHDOG_USEC, and
 * $WATCHDOG_PID naming the process it watches, as sd_watchdog_enabled(3) describes. The daemon
 * then sends WATCHDOG=1 from a timer on its event loop at half that interval, so the keep-alive
 * stops exactly when the loop stops turning, and systemd restarts a hung agent. */
#pragma once

#include <stdint.h>
#include <sys/types.h>

#include <libwebsockets.h>

#include "common/error.h"

/* From the two variables' values (NULL when unset): 1 and the interval when the watchdog
 * watches the process self, 0 when it is off or watches another process, -EINVAL (err says
 * which) when the values are not numbers. */
int service_watchdog_parse(const char *usec, const char *pid, pid_t self, uint64_t *ret_usec,
			   struct error *err);

struct service_watchdog {
	lws_sorted_usec_list_t sul;
	struct lws_context *context;
	uint64_t interval_usec; /* 0: off */
};

/* Reads and unsets $WATCHDOG_USEC and $WATCHDOG_PID (the containers' monitors must not think
 * they are watched) and, when the watchdog is on, starts the keep-alive timer on context.
 * Returns 1 when on, 0 when off, -EINVAL with err when the variables are malformed. */
int service_watchdog_start(struct service_watchdog *w, struct lws_context *context,
			   struct error *err);
void service_watchdog_stop(struct service_watchdog *w);
