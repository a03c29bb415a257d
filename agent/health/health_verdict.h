/* The node's health verdict: the self-checks' results, each with when its status last
 * changed, and the overall status the hub shows as ECS's healthStatus (OK while every check
 * passes, IMPAIRED when one fails). Kept apart from the checks themselves so that the rules
 * are tested without a broken disk. */
#pragma once

#include <stdbool.h>
#include <stdint.h>
#include <time.h>

#include <cjson/cJSON.h>

enum health_check_kind {
	HEALTH_STATE_STORE, /* the state database takes a write */
	HEALTH_CGROUP_TREE, /* the cgroup driver can make and remove a cgroup where tasks go */
	HEALTH_IMAGE_STORE, /* the image store is within its budget */
	HEALTH_CHECK_COUNT,
};

#define HEALTH_REASON_MAX 512

struct health_check_result {
	bool ok;
	char reason[HEALTH_REASON_MAX]; /* why it failed, and the fix; "" when ok */
};

struct health_verdict {
	bool taken;                  /* a first round of checks has been recorded */
	struct health_check_result checks[HEALTH_CHECK_COUNT];
	time_t changed_at[HEALTH_CHECK_COUNT]; /* when the check's status last changed */
};

/* The type a check is shown under ("STATE_STORE", "CGROUP_TREE", "IMAGE_STORE"). */
const char *health_check_type(enum health_check_kind kind);

/* Record a round of checks taken at NOW. Returns true when the overall status or any
 * check's status or reason differs from the round before (or this is the first). */
bool health_verdict_record(struct health_verdict *v, const struct health_check_result *round,
			   time_t now);

bool health_verdict_ok(const struct health_verdict *v);
/* "OK", "IMPAIRED", or "INSUFFICIENT_DATA" before the first round. */
const char *health_verdict_status(const struct health_verdict *v);
/* The failing checks' reasons joined with "; ", or "" when all pass. */
void health_verdict_reason(const struct health_verdict *v, char *buf, size_t size);

/* {"status": ..., "reason": ..., "checks": [{"type", "status", "reason"}]}
 * for the node_status frame (docs/protocol.md); NULL: no memory. */
cJSON *health_verdict_json(const struct health_verdict *v);
