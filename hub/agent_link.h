/* One agent's websocket session (docs/protocol.md "The link"), free of libwebsockets so it can
 * be driven by tests: frames in, frames out, and a close request when the session must end. */
#pragma once

#include <stdbool.h>
#include <stdint.h>

#include "hub/metrics/metrics_window.h"
#include "hub/store/store.h"
#include "hub/tasks/task_reconcile.h"
#include "protocol/auth.h"

struct link_out {
	char *text;
	struct link_out *next;
};

struct agent_link {
	struct hub_store *store;
	char nonce[AUTH_NONCE_HEX_LEN + 1];
	bool authenticated;
	char node_id[64];
	uint64_t last_sent_seq;   /* highest queued hub seq written on this connection */
	bool outbox_pending;      /* the store may hold frames after last_sent_seq: look there */
	struct link_out *head, *tail; /* control frames waiting to be written */
	unsigned heartbeat_seconds; /* told to the agent in the welcome */
	int close_code;           /* non-zero: close with this code and reason */
	struct metrics_window *metrics; /* where metrics frames go (NULL: refused) */
	struct task_reconcile_link reconcile; /* the task_report and stops of this connection */
	char close_reason[128];
};

/* Start a session: a fresh nonce and the challenge queued. The welcome will tell the agent the
 * hub's heartbeat period. */
int agent_link_start(struct agent_link *l, struct hub_store *s, unsigned heartbeat_seconds);
void agent_link_release(struct agent_link *l);

/* Handle one received message. Returns 1 when the session has just authenticated (the caller
 * then replaces any older connection of the same node), else 0. */
int agent_link_receive(struct agent_link *l, const char *data, size_t size);

/* The next frame to write (caller frees), NULL when nothing is waiting. The store's queue is
 * read only after the welcome and after agent_link_outbox_changed, not on every write. */
char *agent_link_next_out(struct agent_link *l);

/* A reliable frame was queued for this link's node. */
void agent_link_outbox_changed(struct agent_link *l);

/* The connection ended; mark the node disconnected unless replaced. */
void agent_link_closed(struct agent_link *l, bool replaced);
