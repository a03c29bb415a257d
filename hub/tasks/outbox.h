/* Reliable hub -> agent frames (task_assign, task_stop) queued per node in the task store with
 * the node's next seq. They stay until the agent acknowledges them and are resent after every
 * welcome (hub/tasks/task_store.h has the queue itself). */
#pragma once

#include "hub/store/store.h"

int outbox_queue_assign(struct hub_store *s, const char *node_id, const char *task_id,
			const char *task_arn, const char *taskdef_body, struct error *err);
int outbox_queue_stop(struct hub_store *s, const char *node_id, const char *task_id,
		      const char *task_arn, const char *reason, struct error *err);
