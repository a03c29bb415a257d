/* What the agent does with each frame the hub sends (docs/protocol.md), apart from the socket:
 * the handshake (challenge -> hello, welcome), assignments stored before they are acked and
 * started once, stops, acks of the outbox, the reconciliation after each welcome
 * (agent/link/link_reconcile.h), and an error frame for anything it cannot understand. The
 * task manager and the link are reached through ops so that this logic can be tested without
 * either. */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <cjson/cJSON.h>

#include "agent/link/link_reconcile.h"
#include "agent/state/store.h"
#include "common/error.h"

struct frame_handler_ops {
	/* Build the hello frame text answering nonce (caller frees); NULL with err on failure. */
	char *(*make_hello)(void *userdata, const char *nonce, struct error *err);
	/* Queue one frame to the hub. */
	void (*send)(void *userdata, const char *text);
	/* The hub accepted the hello. */
	void (*on_welcome)(void *userdata, const cJSON *welcome);
	int (*start_task)(void *userdata, const char *task_arn, const cJSON *definition,
			  struct error *err);
	int (*stop_task)(void *userdata, const char *task_arn, const char *reason);
	/* The hub acknowledged the task's STOPPED state and the store forgot it (may be NULL). */
	void (*forget_task)(void *userdata, const char *task_arn);
	/* An assignment could not be stored and was not acked (may be NULL): the hub sends it
	 * again after its next welcome, which a new connection brings. */
	void (*assignment_not_stored)(void *userdata);
	/* The hub applied metrics batch BATCH and those before it (may be NULL). */
	void (*metrics_acked)(void *userdata, uint64_t batch);
};

enum frame_handler_phase {
	FRAME_HANDLER_AWAIT_CHALLENGE,
	FRAME_HANDLER_AWAIT_WELCOME,
	FRAME_HANDLER_READY,
};

struct frame_handler {
	struct store *store;
	const struct frame_handler_ops *ops;
	void *userdata;
	enum frame_handler_phase phase;
	struct link_reconcile reconcile;
};

/* Why a task stops when the hub confirmed, after a reconnection, that it is not to run. */
#define RECONCILE_STOP_REASON "Stopped after reconnecting: the hub confirmed it is not to run here"

/* A new connection: the handshake starts over (and frees what the last one held). */
void frame_handler_reset(struct frame_handler *h);

bool frame_handler_ready(const struct frame_handler *h);

/* Handle one whole message from the hub. */
void frame_handler_receive(struct frame_handler *h, const char *data, size_t size);
