/* The agent's side of the reconciliation after each welcome (docs/protocol.md,
 * "Reconciliation"): the task_report of what the node has, the task_stop_verify of the tasks
 * the hub's manifest says STOPPED that still run here, and, of those, the stop of only the
 * ones the hub's task_stop_confirm names. A hub whose welcome shows it lost history it had
 * acknowledged (restored from an older database) is given the definitions to adopt the tasks
 * and asked to stop nothing on that connection. No socket and no task manager here: frames in
 * and out as text, stops through a callback. */
#pragma once

#include <stdbool.h>
#include <stdint.h>

#include <cjson/cJSON.h>

#include "agent/state/store.h"
#include "common/error.h"

struct reconcile_task {
	char *arn;
	bool stopped;   /* its last reported status is STOPPED */
	bool candidate; /* the manifest said STOPPED: asked about in the task_stop_verify */
};

struct link_reconcile {
	uint64_t report;     /* the last task_report's number (counts across connections) */
	bool sent;           /* a task_report went out on this connection */
	bool hub_behind;     /* this connection's hub lost history it had acknowledged */
	bool verifying;      /* a task_stop_verify waits for its task_stop_confirm */
	struct reconcile_task *tasks;
	size_t n_tasks;
};

/* A new connection: what the last one reported and asked is forgotten. */
void link_reconcile_reset(struct link_reconcile *r);

/* The hub gave seq SEQ in a task_assign or task_stop: remembered as the highest seen (meta
 * "hub_seq_seen"), so that a hub whose own seq went back can be recognised. */
int link_reconcile_hub_seq_seen(struct store *s, uint64_t seq, struct error *err);

/* After a welcome: *ret_text is the task_report to send (caller frees), or NULL when the hub
 * does not reconcile (its welcome has no agent_seq and hub_seq: protocol 1.0). */
int link_reconcile_report(struct link_reconcile *r, struct store *s, const cJSON *welcome,
			  char **ret_text, struct error *err);

/* A task_manifest: *ret_text is the task_stop_verify to send (caller frees), or NULL when
 * nothing is to be asked (no candidate, an answer to an older report, a hub behind).
 * -EBADMSG with err naming the field when the manifest is not valid (nothing changes). */
int link_reconcile_manifest(struct link_reconcile *r, const cJSON *manifest, char **ret_text,
			    struct error *err);

/* A task_stop_confirm: STOP is called for each task both asked about and confirmed, once.
 * -EBADMSG with err naming the field when it is not valid (nothing is stopped). */
typedef void (*link_reconcile_stop_fn)(void *userdata, const char *task_arn);
int link_reconcile_confirm(struct link_reconcile *r, const cJSON *confirm,
			   link_reconcile_stop_fn stop, void *userdata, struct error *err);
