/* Stopped tasks are kept for an hour, as ECS keeps them visible, then forgotten: without this
 * the hub's database, and every query over its tasks, would grow with every task ever run. */
#pragma once

#include "common/error.h"
#include "hub/store/store.h"

#define TASK_RETENTION_SECONDS 3600.0

/* Forget the tasks that stopped before NOW - KEEP_SECONDS: their rows, their containers' rows
 * and any frame still queued for them, in one transaction. Returns how many were forgotten. */
int task_retention_sweep(struct hub_store *s, double now, double keep_seconds, struct error *err);
