/* Task state changes not yet in the outbox: kept in memory, in the order they happened, while
 * the state database cannot take them (a full disk, a read-only file system), and appended
 * when it can again. None is dropped to go on: the hub is told every state a task went
 * through, in order, and a later change never reaches the outbox before an earlier one.
 * Appending joins the store's deferred transaction (store_defer_commits); the caller commits
 * and then says how the commit went. */
#pragma once

#include <stddef.h>

#include <cjson/cJSON.h>

#include "agent/state/store.h"
#include "common/error.h"

struct state_backlog_entry;

struct state_backlog {
	struct state_backlog_entry *head, **tail;
	size_t count;
};

void state_backlog_init(struct state_backlog *b);
void state_backlog_release(struct state_backlog *b);

/* Queue FRAME (a task_state frame without seq, for store_task_state_append), which the backlog
 * takes over; -ENOMEM (FRAME freed) when there is no memory for it. */
int state_backlog_push(struct state_backlog *b, const char *task_arn, const char *status,
		       cJSON *frame);

size_t state_backlog_count(const struct state_backlog *b);

/* Append the queued changes not yet appended to the store's open transaction, oldest first,
 * up to the first that fails: its error is returned, and it and those after it wait. */
int state_backlog_append(struct state_backlog *b, struct store *s, struct error *err);

/* The transaction committed: the appended changes leave the backlog, and SENT gets each one
 * that told the hub something new, as the frame to send (with its seq), oldest first. */
typedef void (*state_backlog_sent_fn)(void *userdata, const char *task_arn, const char *status,
				      const char *text);
void state_backlog_committed(struct state_backlog *b, state_backlog_sent_fn sent,
			     void *userdata);

/* The transaction was rolled back: every change waits again, to be appended anew. */
void state_backlog_rolled_back(struct state_backlog *b);
