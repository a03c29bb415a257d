/* Stop every task a node's state holds and wait for them: `tether deregister` does it once the
 * daemon is down. The tasks are taken back as a restarted daemon takes them (containers whose
 * monitor still runs are adopted), then stopped as the hub's task_stop stops them: SIGTERM,
 * and SIGKILL after each container's stopTimeout. */
#pragma once

#include <stddef.h>

#include "agent/state/store.h"
#include "common/error.h"

struct task_stop_all_result {
	size_t stopped;   /* tasks that were not STOPPED and now are */
	size_t remaining; /* tasks still not STOPPED when timeout_ms ran out */
};

int task_stop_all(const char *state_dir, struct store *store, const char *monitor_path,
		  int timeout_ms, struct task_stop_all_result *ret, struct error *err);
