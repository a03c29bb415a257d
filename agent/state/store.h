/* The agent's durable state, STATE_DIR/state.db (SQLite, WAL): the tasks it was given (ARN,
 * definition, last reported state, the hub's stop once asked) until the hub acknowledged their
 * STOPPED state, then only their ARN among the newest STORE_FINISHED_KEEP finished ones, the
 * outbox of task_state frames not yet acknowledged by the hub, the restart policies' records
 * of their containers, and a small key/value meta table (connection state, next outbound seq). */
#pragma once

#include <stdbool.h>
#include <stdint.h>

#include <cjson/cJSON.h>

#include "common/error.h"

#define STORE_FILE "state.db"

/* How many finished tasks' ARNs are kept so that a redelivered assignment is not run again. */
#define STORE_FINISHED_KEEP 10000

struct store;

/* Errors name the file and carry what it means for the operator: -ENOSPC (or -EDQUOT) when
 * its file system is full, -EROFS or -EACCES when it cannot be written, -EUCLEAN when it is
 * damaged, -EIO otherwise. */

/* Open (and create, unless read_only) the database at path. Unless read_only, a damaged file
 * (PRAGMA quick_check) is refused with -EUCLEAN and a message that says how to recover it;
 * SQLite's own recovery of a transaction cut short (a WAL whose last frames were never
 * committed, after a crash) is not damage and happens here as always. */
int store_open(const char *path, bool read_only, struct store **ret, struct error *err);
void store_close(struct store *s);
const char *store_path(const struct store *s);

/* Group commit: from now on every write joins one transaction that stays open until
 * store_commit, so that all a turn of the caller's loop changed costs one sync to disk instead
 * of one per write. The caller holds back what must not be seen before it is durable (the
 * ack of an assignment, a state frame, a container started for a stored task) until
 * store_commit returned 0. Writes of store_meta_set outside such a transaction commit by
 * themselves. */
void store_defer_commits(struct store *s);
/* Writes wait for store_commit. */
bool store_commit_pending(const struct store *s);
/* Make the writes since the last commit durable; nothing to do when there were none. On
 * failure they are rolled back (lost) and the error is returned. A write of the turn that
 * failed in a way that made SQLite undo the whole transaction (a full disk) makes every later
 * write of the turn and this commit fail too: all of the turn or none of it is on disk. */
int store_commit(struct store *s, struct error *err);

/* Record an assignment. Returns 1 when the task is new, 0 when the ARN was already stored
 * or is among the finished ones (the stored definition is kept: a redelivery changes
 * nothing). */
int store_task_add(struct store *s, const char *task_arn, const char *definition_json,
		   struct error *err);

/* The hub asked to stop the task, for REASON: kept until the task is forgotten, so that the
 * stop, once acknowledged, holds across a restart of the agent. Returns 1 when recorded, 0
 * when the task is not stored (unknown, or forgotten already); a second stop keeps the first
 * reason. */
int store_task_stop(struct store *s, const char *task_arn, const char *reason,
		    struct error *err);

/* Every stop recorded for a stored task, in the order asked. */
typedef int (*store_stop_fn)(void *userdata, const char *task_arn, const char *reason);
int store_stops_foreach(struct store *s, store_stop_fn fn, void *userdata, struct error *err);

/* In one transaction: give frame (a task_state object without seq) the next outbound seq,
 * append it to the outbox and make it the task's last state. *ret_seq gets the seq and
 * *ret_text the frame as sent (caller frees). A frame equal to the task's last state apart
 * from `at` is not appended: it would tell the hub nothing; then *ret_seq is 0 and *ret_text
 * NULL. */
int store_task_state_append(struct store *s, const char *task_arn, const char *status,
			    cJSON *frame, uint64_t *ret_seq, char **ret_text, struct error *err);

/* The hub applied outbox frame seq: forget it. Unknown seqs are ignored. */
int store_outbox_ack(struct store *s, uint64_t seq, struct error *err);
/* The same; when the frame was a task's STOPPED state the task is forgotten too (its row
 * replaced by its ARN in the finished list, in the same transaction) and *ret_finished gets
 * its ARN (caller frees), else NULL. */
int store_outbox_ack_task(struct store *s, uint64_t seq, char **ret_finished,
			  struct error *err);

/* Every outbox frame, lowest seq first. A negative return from fn stops the walk. */
typedef int (*store_outbox_fn)(void *userdata, uint64_t seq, const char *frame_text);
int store_outbox_foreach(struct store *s, store_outbox_fn fn, void *userdata, struct error *err);

int store_outbox_count(struct store *s, uint64_t *ret, struct error *err);

/* The highest seq up to which the hub has acknowledged every task_state: the one below the
 * lowest still in the outbox, or the last one given when the outbox is empty (0: none). Only
 * an ack removes a frame, so a hub that remembers what it acknowledged has applied at least
 * this much (docs/protocol.md, "Reconciliation"). */
int store_acked_seq(struct store *s, uint64_t *ret, struct error *err);

/* Every stored task in assignment order. status and last_state may be NULL (nothing reported
 * yet). */
typedef int (*store_task_fn)(void *userdata, const char *task_arn, const char *definition_json,
			     const char *status, const char *last_state_json);
int store_tasks_foreach(struct store *s, store_task_fn fn, void *userdata, struct error *err);

/* A real write, made durable at once: the health self-check that the database takes writes
 * (a read-only file system, a full disk, a file that lost its permissions). Called with no
 * deferred writes pending (-EBUSY otherwise), so that its failure loses nothing else. */
int store_write_probe(struct store *s, struct error *err);

/* A container's restart policy record (agent/tasks/restart_policy.h): how many restarts, the
 * last one's time (wall clock, seconds), and the monitor pid after which a restart is owed (0:
 * none). Kept until its task is forgotten. */
struct store_restart {
	uint32_t count;
	double last_restart_at;
	int64_t owed_after_monitor;
};
int store_restart_set(struct store *s, const char *task_arn, const char *container,
		      const struct store_restart *rec, struct error *err);
/* 1 and *ret filled, or 0 when the container has no record. */
int store_restart_get(struct store *s, const char *task_arn, const char *container,
		      struct store_restart *ret, struct error *err);

int store_meta_set(struct store *s, const char *key, const char *value, struct error *err);
/* A key not set is no error. */
int store_meta_delete(struct store *s, const char *key, struct error *err);
/* *ret is NULL when the key is not set. */
int store_meta_get(struct store *s, const char *key, char **ret, struct error *err);
