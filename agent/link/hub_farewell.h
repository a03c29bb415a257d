/* The node tells the hub it leaves, with its own identity: it connects as the daemon does
 * (challenge, hello signed with the node key, welcome), replays its outbox (the tasks' last
 * states) until the hub has acknowledged all of it, sends a `deregister` frame, and the
 * hub's close with 4004 "node deregistered" is the answer (docs/protocol.md). A hello refused
 * with 4004 means the same: the hub already has the node deregistered. */
#pragma once

#include <stdbool.h>

#include "agent/link/identity.h"
#include "agent/state/store.h"
#include "common/error.h"

/* 0 when the hub confirmed, -ETIMEDOUT (err says what the last attempt met) when it did not
 * within timeout_ms, or another negative errno (a refused identity: -EACCES). store receives
 * assignments the hub may still resend before the deregister is read. */
int hub_farewell(const struct identity *id, const char *ca_file, struct store *store,
		 int timeout_ms, struct error *err);
