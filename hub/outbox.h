/* Reliable hub -> agent frames (task_assign, task_stop) queued per node in the store with the
 * node's next seq. They stay until the agent acknowledges them and are resent after every
 * welcome. */
#pragma once

#include <stdint.h>

#include "hub/store.h"

int outbox_queue_assign(struct hub_store *s, const char *node_id, const char *task_id,
			const char *task_arn, const char *taskdef_body, struct error *err);
int outbox_queue_stop(struct hub_store *s, const char *node_id, const char *task_id,
		      const char *task_arn, const char *reason, struct error *err);

/* The first queued frame with seq > after_seq for node: 1 and the frame text (caller frees)
 * and its seq, 0 when none is queued. */
int outbox_next(struct hub_store *s, const char *node_id, uint64_t after_seq, char **ret_frame,
		uint64_t *ret_seq, struct error *err);

/* The agent acknowledged seq: drop it; an acknowledged assignment marks its task delivered. */
int outbox_ack(struct hub_store *s, const char *node_id, uint64_t seq, struct error *err);

/* Drop a task's undelivered assignment; 1 when one was dropped. */
int outbox_drop_assign(struct hub_store *s, const char *task_id, struct error *err);
