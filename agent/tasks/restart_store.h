/* The restart policy's records in the agent's state database (agent/state/store.h), for the
 * task manager's save_restart and load_restart of the daemon and of `tether deregister`. */
#pragma once

#include "agent/state/store.h"
#include "agent/tasks/restart_policy.h"

/* A negative errno on failure, said in the log with the container. */
int restart_record_save(struct store *s, const char *task_arn, const char *container,
			const struct restart_record *rec);
/* 1 and *ret filled, 0 when none is kept, a negative errno on failure (logged). */
int restart_record_load(struct store *s, const char *task_arn, const char *container,
			struct restart_record *ret);
