#include "hub/tasks/task_retention.h"

#include <errno.h>

#include "hub/tasks/task_store.h"

/* A bounded batch per sweep, so that a hub that kept a backlog does not stop its loop for long. */
#define SWEEP_BATCH 1000

int task_retention_sweep(struct hub_store *s, double now, double keep_seconds, struct error *err)
{
	int r = hub_store_begin(s, err);
	if (r < 0)
		return r;
	int forgotten = task_store_forget_stopped(s, now - keep_seconds, SWEEP_BATCH, err);
	if (forgotten < 0 || (r = hub_store_commit(s, err)) < 0) {
		hub_store_rollback(s);
		return forgotten < 0 ? forgotten : r;
	}
	return forgotten;
}
