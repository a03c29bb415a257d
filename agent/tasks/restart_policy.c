#include "agent/tasks/restart_policy.h"

double restart_period_seconds(const struct taskdef_restart_policy *p, unsigned percent)
{
	if (percent == 0 || percent > 100)
		percent = 100;
	return (double)p->attempt_period * percent / 100.0;
}

enum restart_verdict restart_decide(const struct taskdef_restart_policy *p,
				    const struct restart_record *rec,
				    const struct restart_facts *f, unsigned percent)
{
	if (!p->enabled)
		return RESTART_NOT_ENABLED;
	if (f->desired_stopped)
		return RESTART_DESIRED_STOPPED;
	if (!f->has_exit_code)
		return RESTART_EXIT_UNKNOWN;
	if (taskdef_restart_ignores(p, f->exit_code))
		return RESTART_EXIT_IGNORED;
	double since = rec->last_restart_at > 0 ? rec->last_restart_at : f->started_at;
	/* A start of unknown time cannot be shown to have lasted the period. */
	if (since <= 0 || f->now - since < restart_period_seconds(p, percent))
		return RESTART_TOO_SOON;
	return RESTART;
}

const char *restart_verdict_reason(enum restart_verdict v)
{
	switch (v) {
	case RESTART:
		return NULL;
	case RESTART_NOT_ENABLED:
		return "its restart policy is not enabled";
	case RESTART_DESIRED_STOPPED:
		return "its task is stopping";
	case RESTART_EXIT_UNKNOWN:
		return "its exit code is unknown";
	case RESTART_EXIT_IGNORED:
		return "its exit code is in ignoredExitCodes";
	case RESTART_TOO_SOON:
		return "it ran less than its restartAttemptPeriod since it started or was last "
		       "restarted";
	}
	return "unknown";
}

void restart_record_note(struct restart_record *rec, double now)
{
	rec->count++;
	rec->last_restart_at = now;
}
