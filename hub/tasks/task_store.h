/* The one writer of the hub's tasks, their containers and the per-node queue of reliable
 * frames (tables tasks, containers, outbox). Whoever changes a task, the ECS API, an agent's
 * task_state, retention, goes through here, so that the rules every row follows are in one
 * place. The caller owns the transaction (hub_store_begin and hub_store_commit). */
#pragma once

#include <stdbool.h>
#include <stdint.h>

#include <cjson/cJSON.h>

#include "hub/store/store.h"
#include "protocol/taskdef.h"

/* A new task placed on node_id: PROVISIONING, desired RUNNING, its containers PENDING. td is
 * the definition as the task runs it, with any overrides merged. */
struct task_store_new {
	const char *id, *cluster, *family, *node_id;
	long long revision;
	const struct taskdef *td;
	const char *started_by; /* NULL: none */
	const char *group;      /* NULL: ECS's default, "family:FAMILY" */
	const char *client_token; /* the RunTask's idempotency token; NULL: none */
	const char *overrides;  /* the RunTask's overrides as JSON text; NULL: none */
};
int task_store_insert(struct hub_store *s, const struct task_store_new *t, struct error *err);

/* What stopping task_id of cluster must know. 0 and *ret filled (node_id for the caller to
 * free), 1 when there is no such task. */
struct task_store_stop_target {
	char *node_id;
	bool stopped;   /* already desired STOPPED */
	bool delivered; /* the agent acknowledged its assignment */
};
int task_store_stop_target(struct hub_store *s, const char *cluster, const char *task_id,
			   struct task_store_stop_target *ret, struct error *err);
/* The operator asked to stop it (stop code UserInitiated, with reason). */
int task_store_request_stop(struct hub_store *s, const char *task_id, const char *reason,
			    struct error *err);
/* The same with another stop code ("ServiceSchedulerInitiated": the service scheduler). */
int task_store_request_stop_as(struct hub_store *s, const char *task_id, const char *stop_code,
			       const char *reason, struct error *err);
/* A task whose agent never acknowledged it stops at once: its assignment is withdrawn and
 * it and its containers are STOPPED. */
int task_store_stop_undelivered(struct hub_store *s, const char *task_id, struct error *err);

/* What an agent reported of one of its tasks. */
struct task_store_report {
	const char *task_id, *status, *stop_code, *stopped_reason;
	double pull_started_at, pull_stopped_at; /* the node's clock; 0: not reported */
	const char *health_status;  /* NULL: not reported (no container has a healthCheck) */
};
struct task_store_container_report {
	const char *name, *status, *reason;
	/* NULL: no healthCheck; health_output: the failing check's, replaced with the status */
	const char *health_status, *health_output;
	const char *runtime_id; /* the container's id on its node; NULL: not reported */
	long long restart_count; /* restarts its restart policy made; -1: not reported */
	bool has_exit_code;
	int exit_code;
};
/* Applies a report of node_id's task: 1 when applied, 0 when the task is not this node's
 * (nothing changed). STOPPED stays STOPPED; times and stop reasons are kept once set. */
int task_store_apply_report(struct hub_store *s, const char *node_id,
			    const struct task_store_report *r,
			    const struct task_store_container_report *containers, size_t n,
			    struct error *err);

/* The node left the cluster (DeregisterContainerInstance): its tasks not yet STOPPED become
 * STOPPED, desired STOPPED, with reason unless one was given, and nothing more is queued for
 * it. No task_stop is sent: the hub no longer accounts for them, as ECS orphans them. */
int task_store_orphan_node(struct hub_store *s, const char *node_id, const char *reason,
			   struct error *err);

/* How many of cluster's tasks are RUNNING, and how many PROVISIONING or PENDING. */
int task_store_cluster_counts(struct hub_store *s, const char *cluster, long long *ret_running,
			      long long *ret_pending, struct error *err);
/* How many of node_id's tasks have a last status among STATUSES (names separated by commas). */
long long task_store_node_count(struct hub_store *s, const char *node_id, const char *statuses);

/* The tasks of every cluster counted by last status (GET /metrics). */
typedef void (*task_store_count_fn)(void *userdata, const char *cluster, const char *status,
				    long long count);
int task_store_count_by_status(struct hub_store *s, task_store_count_fn fn, void *userdata,
			       struct error *err);
/* Which tasks ListTasks asks for: cluster's desired in desired_status, and, where not NULL,
 * only those on the container instance instance_id, of family, started by started_by. */
struct task_store_filter {
	const char *cluster, *desired_status, *instance_id, *family, *started_by;
};
/* The ids of the tasks filter selects, oldest first; each is handed to FN. */
int task_store_list(struct hub_store *s, const struct task_store_filter *filter,
		    void (*fn)(const char *task_id, void *data), void *data, struct error *err);

/* The tasks of cluster that a RunTask with client_token started, oldest first, each handed
 * to FN; how many (0: none, the request is new). */
int task_store_by_client_token(struct hub_store *s, const char *cluster, const char *client_token,
			       void (*fn)(const char *task_id, void *data), void *data,
			       struct error *err);

/* Forgets at most batch tasks that stopped before cutoff, with their containers and queued
 * frames; returns how many. */
int task_store_forget_stopped(struct hub_store *s, double cutoff, int batch, struct error *err);

/* The outbox. A frame gets the node's next seq (task_store_next_seq) before it is queued. */
int task_store_next_seq(struct hub_store *s, const char *node_id, uint64_t *ret,
			struct error *err);
/* Queues frame_text for node_id (kind "assign" or "stop"); the node's link is woken once the
 * transaction commits (hub_store_wake_after_commit). */
int task_store_queue_frame(struct hub_store *s, const char *node_id, uint64_t seq,
			   const char *task_id, const char *kind, const char *frame_text,
			   struct error *err);
/* The first queued frame with seq > after_seq for node: 1 and the frame text (caller frees)
 * and its seq, 0 when none is queued. */
int task_store_next_frame(struct hub_store *s, const char *node_id, uint64_t after_seq,
			  char **ret_frame, uint64_t *ret_seq, struct error *err);
/* The agent acknowledged seq: the frame goes; an acknowledged assignment marks its task
 * delivered (PROVISIONING becomes PENDING). */
int task_store_ack_frame(struct hub_store *s, const char *node_id, uint64_t seq,
			 struct error *err);

/* What the reconciliation after a welcome needs (hub/tasks/task_store_reconcile.c; the stop of
 * a missing task shares task_store_orphan_node's statements in task_store.c). */
/* 1 with *ret_node_id (caller frees) and whether it is desired STOPPED, 0 when no task has
 * the id. */
int task_store_owner(struct hub_store *s, const char *task_id, char **ret_node_id,
		     bool *ret_desired_stopped, struct error *err);
/* A task its node runs and the hub did not know (it lost it with a restored database): stored
 * as task_store_insert does, delivered and PENDING, desired RUNNING. */
int task_store_adopt(struct hub_store *s, const struct task_store_new *t, struct error *err);
/* The registered revision of family whose definition is DEFINITION; 0 when none is. */
int task_store_adoption_revision(struct hub_store *s, const char *family, const cJSON *definition,
				 long long *ret, struct error *err);
/* The ids of node_id's tasks whose assignment it acknowledged and that are not STOPPED, each
 * handed to FN. */
int task_store_node_delivered(struct hub_store *s, const char *node_id,
			      void (*fn)(const char *task_id, void *data), void *data,
			      struct error *err);
/* A task its node does not have: it and its containers STOPPED with reason (unless one was
 * given), nothing more queued for it. */
int task_store_stop_missing(struct hub_store *s, const char *task_id, const char *reason,
			    struct error *err);
