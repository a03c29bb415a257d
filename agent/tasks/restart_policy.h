/* A container's restartPolicy applied by the node (protocol/taskdef_restart.h): whether an exit
 * is followed by a restart in place, as ECS's agent decides it, and what is kept of the
 * restarts made. A pure function of what is known, so that it decides alike online, offline and
 * after an agent restart, and can be tested without a container.
 *
 * The rule is also the crash loop's back-off: a container is restarted at most once per
 * period, and one that cannot run for a period is not restarted again. */
#pragma once

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "protocol/taskdef_restart.h"

/* What the node keeps of a container's restarts (the daemon in state.db), so that an agent
 * restart neither resets the count nor restarts twice. */
struct restart_record {
	uint32_t count;         /* restarts made */
	double last_restart_at; /* wall clock, seconds since the epoch; 0: none yet */
	/* A restart decided and counted whose monitor may not have been spawned yet: the pid of
	 * the monitor of the start that ended (its monitor.pid). 0: none owed. */
	int64_t owed_after_monitor;
};

/* What is known of one end of the container. */
struct restart_facts {
	bool desired_stopped;  /* its task is stopping (a stop asked, an essential container ended) */
	bool has_exit_code;    /* this end's exit code is known (not a lost monitor, a failed start) */
	int exit_code;
	double started_at;     /* wall clock of this start; 0: unknown */
	double now;            /* wall clock */
};

enum restart_verdict {
	RESTART,
	RESTART_NOT_ENABLED,
	RESTART_DESIRED_STOPPED,
	RESTART_EXIT_UNKNOWN,
	RESTART_EXIT_IGNORED,
	RESTART_TOO_SOON,      /* less than the period since its start or its last restart */
};

/* The period in seconds: restartAttemptPeriod scaled by PERCENT (1-100; 0 counts as 100), the
 * knob that shortens it for tests (docs/configuration.md). */
double restart_period_seconds(const struct taskdef_restart_policy *p, unsigned percent);

/* Whether this end is followed by a restart. The period counts from the last restart when there
 * was one, else from the start; a wall clock set back reads as too soon. */
enum restart_verdict restart_decide(const struct taskdef_restart_policy *p,
				    const struct restart_record *rec,
				    const struct restart_facts *f, unsigned percent);

/* "exit code 3 is in ignoredExitCodes", for the log; NULL for RESTART. */
const char *restart_verdict_reason(enum restart_verdict v);

/* The restart is made: one more, now. */
void restart_record_note(struct restart_record *rec, double now);
