/* The scheduled rules' firing: each enabled rule whose tick is due runs its targets' tasks
 * through RunTask, and records the tick in the transaction that started them, so that a tick
 * runs once even when the hub stops in between. */
#pragma once

#include <stdint.h>

#include "hub/store/store.h"

/* A tick missed while the hub was down runs once when it is back within this many seconds of
 * it; older ones are not run (docs/operator-api.md, "Scheduled tasks"). */
#define RULE_CATCH_UP_SECONDS 300

/* Handles every tick due at now (UTC seconds); returns how many rules fired, or a negative
 * errno when the database failed. Failures to start tasks are recorded with their rule and
 * logged once, when they begin or change; a tick that started no task at all is tried again a
 * second later, until it falls out of the catch-up window. */
int rule_firing_run(struct hub_store *s, int64_t now, struct error *err);
