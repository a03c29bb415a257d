#include "hub/task_retention.h"

#include <errno.h>

#include "common/cleanup.h"

/* A bounded batch per sweep, so that a hub that kept a backlog does not stop its loop for long. */
#define SWEEP_BATCH 1000

int task_retention_sweep(struct hub_store *s, double now, double keep_seconds, struct error *err)
{
	int r = hub_store_begin(s, err);
	if (r < 0)
		return r;
	/* The ids go through a temporary table (hub/store.c's schema) so that the three deletes
	 * agree on one set of tasks. */
	static const char *const steps[] = {
		"DELETE FROM forgotten",
		("INSERT INTO forgotten SELECT id FROM tasks WHERE last_status = 'STOPPED'"
		 " AND stopped_at < ?1 LIMIT ?2"),
		"DELETE FROM containers WHERE task_id IN (SELECT id FROM forgotten)",
		"DELETE FROM outbox WHERE task_id IN (SELECT id FROM forgotten)",
		"DELETE FROM tasks WHERE id IN (SELECT id FROM forgotten)",
	};
	int forgotten = 0;
	for (size_t i = 0; i < ELEMENTSOF(steps); i++) {
		sqlite3_stmt *st = hub_store_prepare(s, steps[i], err);
		if (!st)
			goto fail;
		if (i == 1) {
			sqlite3_bind_double(st, 1, now - keep_seconds);
			sqlite3_bind_int(st, 2, SWEEP_BATCH);
		}
		if (hub_store_step_done(s, st, err) < 0)
			goto fail;
		if (i == ELEMENTSOF(steps) - 1)
			forgotten = sqlite3_changes(s->db);
	}
	r = hub_store_commit(s, err);
	return r < 0 ? r : forgotten;
fail:
	hub_store_rollback(s);
	return -(err && err->code ? err->code : EIO);
}
