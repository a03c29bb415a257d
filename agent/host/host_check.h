/* What `tether check` reports: one item per thing this host offers or lacks, with the fix
 * for what it lacks, and the verdict that follows (its exit status). */
#pragma once

#include <stdbool.h>
#include <stddef.h>

#include "common/error.h"

/* What a missing item costs. */
enum host_need {
	HOST_NEED_TO_RUN,     /* without it no task runs */
	HOST_NEED_FOR_LIMITS, /* without it tasks run only without their limits */
	HOST_NEED_NOTHING,    /* worth knowing; tasks run the same */
};

struct host_item {
	const char *key;  /* its JSON name: "state_dir" */
	const char *what; /* its name for people: "state dir" */
	enum host_need need;
	bool ok;
	char detail[1024];
	char fix[512]; /* "" when ok */
};

/* The exit status of `tether check`. */
enum host_verdict {
	HOST_RUNS_WITH_LIMITS = 0,
	HOST_RUNS_WITHOUT_LIMITS = 1,
	HOST_CANNOT_RUN = 2,
};

#define HOST_ITEMS_MAX 16 /* host_check makes at most 12 */

struct host_report {
	const char *cgroup_mode;   /* "unified", "hybrid", "legacy" */
	char *cgroup_mount;        /* NULL without cgroup2 */
	const char *cgroup_driver; /* the driver cgroups/ chose */
	char *controllers;         /* "cpu,io,memory,pids", "" for none */
	char *missing_controllers; /* those limits need that the host lacks, "" for none */
	struct host_item items[HOST_ITEMS_MAX];
	size_t n_items;
	enum host_verdict verdict;
	char summary[2048];
};

/* Probes everything; STATE_DIR is where the agent would keep its tasks. */
int host_check(const char *state_dir, struct host_report *ret, struct error *err);
void host_report_release(struct host_report *r);

/* The item of the cgroup v2 controllers that limits need (cpu, memory, pids), as `tether run`
 * decides whether it starts. Fills *ret_missing ("" when none). */
int host_check_limits(struct host_item *ret, char **ret_available, char **ret_missing);

/* The verdict the items lead to: a missing HOST_NEED_TO_RUN item means no task runs, a
 * missing HOST_NEED_FOR_LIMITS one that tasks run only without limits. */
enum host_verdict host_verdict_of(const struct host_item *items, size_t n);
/* One sentence saying the verdict and why, naming the missing controllers and
 * --allow-no-limits, or each missing item and its fix. */
void host_verdict_summary(const struct host_item *items, size_t n, const char *missing_controllers,
			  char *buf, size_t size);
