/* libsystemd's sd-bus, opened at first use (common/dlopen_lib.h): only the agent speaks to
 * systemd (the systemd cgroup driver, and the question whether the host shuts down when the
 * agent is stopped), so tether-monitor never maps libsystemd. Call systemd_dl_open() before any
 * sym_sd_bus_* pointer. */
#pragma once

#include <systemd/sd-bus.h>

#include "common/dlopen_lib.h"
#include "common/error.h"

#define SYSTEMD_DL_SYMBOLS(X) X(sd_bus_new) X(sd_bus_set_address) X(sd_bus_start) \
	X(sd_bus_open_system) X(sd_bus_flush_close_unref) X(sd_bus_is_bus_client) \
	X(sd_bus_message_new_method_call) X(sd_bus_message_append) \
	X(sd_bus_message_open_container) X(sd_bus_message_close_container) \
	X(sd_bus_message_read) X(sd_bus_message_unref) X(sd_bus_call) X(sd_bus_call_method) \
	X(sd_bus_error_free) X(sd_bus_error_has_name) X(sd_bus_match_signal) \
	X(sd_bus_slot_unref) X(sd_bus_process) X(sd_bus_wait) X(sd_bus_get_property_string)
SYSTEMD_DL_SYMBOLS(DL_DECLARE)

int systemd_dl_open(struct error *err);
