/* What the daemon's files share (agent/daemon/daemon.c: the loop, the link and the task
 * manager wired together; daemon_reports.c: what the node reports of itself besides its
 * tasks). Not for other callers. */
#pragma once

#include <stdint.h>
#include <time.h>

#include <libwebsockets.h>
#include <openssl/evp.h>

#include "agent/daemon/boot_check.h"
#include "agent/daemon/daemon_api.h"
#include "agent/daemon/service_status.h"
#include "agent/daemon/service_watchdog.h"
#include "agent/health/node_health.h"
#include "agent/link/frame_handler.h"
#include "agent/link/hostinfo.h"
#include "agent/link/hub_link.h"
#include "agent/link/identity.h"
#include "agent/metrics/node_metrics.h"
#include "agent/state/state_backlog.h"
#include "agent/state/store.h"
#include "agent/tasks/task_manager.h"

struct daemon {
	const char *state_dir;
	int lock_fd;
	struct identity id;
	EVP_PKEY *key;
	struct hostinfo host;
	struct store *store;
	struct task_manager *tm;
	struct hub_link *link;
	struct frame_handler handler;
	lws_sorted_usec_list_t tick_sul;
	struct service_status status;
	struct service_watchdog watchdog;
	struct daemon_api api; /* the local API and the task metadata endpoint */
	struct node_health health;
	lws_sorted_usec_list_t health_sul;
	uint64_t image_store_budget;
	time_t connected_at;
	struct node_metrics metrics;
	lws_sorted_usec_list_t metrics_sul;
	uint64_t metrics_interval_s;
	/* Frames sent while the store had writes not yet committed: they go out after the
	 * commit, in order (an ack must not tell the hub of an assignment a power cut loses). */
	struct held_frame *held_head, **held_tail;
	/* Assignments stored but not yet committed: the task manager gets them after the
	 * commit, so that no container runs for a task a failed commit forgot (the hub, not
	 * acked, sends the assignment again). */
	struct held_start *starts_head, **starts_tail;
	/* Task state changes not yet in the outbox (agent/state/state_backlog.h). */
	struct state_backlog backlog;
	/* The last commit that had writes failed: the backlog is tried again once every
	 * STORE_RETRY_MS, not at every turn. */
	bool store_failing;
	int64_t store_retry_at_ms;
	/* An assignment of this turn was not stored: the link restarts after the commit, so
	 * that the hub, not acked, sends it again. */
	bool relink;
	/* Acks were dropped while the state database kept failing: the link restarts once it
	 * takes writes again, so that the hub sends those frames again (restarting it at each
	 * failed turn would keep the node's health from ever reaching the hub). */
	bool relink_when_written;
	/* This boot's id, and whether it is still to be recorded after the first tick
	 * (agent/daemon/boot_check.h). */
	struct boot_check boot;
	bool boot_unrecorded;
};

struct held_frame {
	struct held_frame *next;
	char text[];
};

struct held_start {
	struct held_start *next;
	char *task_arn;
	cJSON *definition;
};

/* How often a state database that failed is tried again while writes wait. */
#define STORE_RETRY_MS 1000

/* Queue TEXT to the hub now (nothing while there is no link). */
void daemon_send_now(struct daemon *d, const char *text);
/* Commit this turn's writes, then send the frames that waited for them. */
void daemon_commit_and_send(struct daemon *d);

/* Health and metrics (daemon_reports.c): the first health round and the timers; after each
 * welcome, the node_status and the metrics batches held; the hub's ack of a batch. */
void daemon_reports_start(struct daemon *d, struct lws_context *ctx);
void daemon_reports_connected(struct daemon *d);
/* A health round as soon as the loop turns, not at the end of the period: the state database
 * just failed or took writes again. */
void daemon_health_soon(struct daemon *d);
void daemon_metrics_acked(void *userdata, uint64_t batch);
