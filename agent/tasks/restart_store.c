#include "agent/tasks/restart_store.h"

#include "common/log.h"

int restart_record_save(struct store *s, const char *task_arn, const char *container,
			const struct restart_record *rec)
{
	struct store_restart row = {
		.count = rec->count,
		.last_restart_at = rec->last_restart_at,
		.owed_after_monitor = rec->owed_after_monitor,
	};
	struct error err = { 0 };
	int r = store_restart_set(s, task_arn, container, &row, &err);
	if (r < 0)
		log_error("Cannot record the restart of %s of %s: %s", container, task_arn,
			  err.message);
	return r;
}

int restart_record_load(struct store *s, const char *task_arn, const char *container,
			struct restart_record *ret)
{
	struct store_restart row;
	struct error err = { 0 };
	int r = store_restart_get(s, task_arn, container, &row, &err);
	if (r < 0)
		log_error("Cannot read the restarts of %s of %s: %s", container, task_arn,
			  err.message);
	if (r <= 0)
		return r;
	*ret = (struct restart_record){
		.count = row.count,
		.last_restart_at = row.last_restart_at,
		.owed_after_monitor = row.owed_after_monitor,
	};
	return 1;
}
