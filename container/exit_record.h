/* STATE_FOLDER/exit.json: how a container ended, written once by tether-monitor and read by
 * the agent. */
#pragma once

#include <stdbool.h>

#include "common/error.h"

struct exit_record {
	int exit_code;  /* 128+signal when killed by a signal */
	int signal;     /* 0 when the process exited */
	bool oom;       /* the cgroup's oom_kill counter grew while the container ran */
	char *error;    /* NULL, or why the container could not start */
};

int exit_record_write(const char *path, const struct exit_record *rec, struct error *err);
/* -ENOENT when the record does not exist yet. */
int exit_record_read(const char *path, struct exit_record *ret, struct error *err);
void exit_record_done(struct exit_record *rec);
