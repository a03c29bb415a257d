/* Placement: a task goes to an ACTIVE, connected container instance of its cluster with enough
 * remaining CPU and memory (registered minus the reservations of its tasks not STOPPED). */
#pragma once

#include <stdint.h>

#include "hub/placement/placement_spec.h"
#include "hub/store/store.h"

/* What a node has reserved by tasks that are not STOPPED. */
int scheduler_reserved(struct hub_store *s, const char *node_id, long long *ret_cpu,
		       long long *ret_memory);

/* Choose the node with the most remaining memory that fits; 0 and node_id filled, or 1 with
 * *ret_reason the ECS failure reason ("RESOURCE:MEMORY", "RESOURCE:CPU", "AGENT",
 * "NO_ACTIVE_INSTANCES"), or a negative errno on a store failure. */
int scheduler_place(struct hub_store *s, const char *cluster, uint32_t cpu, uint32_t memory,
		    char node_id[64], const char **ret_reason, struct error *err);

#define SCHEDULER_BATCH_MAX 10

/* Place count (at most SCHEDULER_BATCH_MAX) equal tasks one after the other, each as
 * scheduler_place would with the earlier ones reserved, from one pass over the nodes: only the
 * count nodes with the most free memory can receive any of them. Fills node_ids[0..n) and
 * returns n (the tasks that fit, maybe fewer than count: scheduler_place then says why), or a
 * negative errno on a store failure. Nothing is reserved: the caller inserts the tasks. */
int scheduler_place_batch(struct hub_store *s, const char *cluster, uint32_t cpu, uint32_t memory,
			  size_t count, char node_ids[][64], struct error *err);

/* One placement: count equal tasks of a cluster, each reserving cpu and memory, on instances
 * that meet spec's constraints, chosen by its strategies in order. */
struct placement_request {
	const char *cluster;
	uint32_t cpu, memory;
	const struct placement_spec *spec; /* NULL or plain: resources only */
	/* The task group whose tasks not STOPPED count for distinctInstance and spread ("service:
	 * NAME", or RunTask's group, by default "family:FAMILY" as ECS names it). */
	const char *group;
};

/* ECS's reasons a task finds no instance; the others are those of scheduler_place. */
#define PLACEMENT_REASON_MEMBER_OF "MemberOf placement constraint unsatisfied."
#define PLACEMENT_REASON_DISTINCT "DistinctInstance placement constraint unsatisfied."

/* Place count (at most SCHEDULER_BATCH_MAX) tasks, each with the earlier ones reserved. Task i
 * goes to node_ids[i], or node_ids[i] is "" and reasons[i] says why no instance could take it.
 * Returns how many were placed, or a negative errno. Nothing is stored: the caller inserts
 * the tasks. Without constraints or strategies this is the batch's path (the node with the
 * most free memory), whose cost does not grow with the cluster beyond one query. */
int scheduler_place_tasks(struct hub_store *s, const struct placement_request *req, size_t count,
			  char node_ids[][64], const char **reasons, struct error *err);

/* The path with constraints or strategies (hub/tasks/scheduler_constrained.c): every ACTIVE
 * instance of the cluster is read once with its attributes. */
int scheduler_place_constrained(struct hub_store *s, const struct placement_request *req,
				size_t count, char node_ids[][64], const char **reasons,
				struct error *err);
