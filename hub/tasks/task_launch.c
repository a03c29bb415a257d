#include <errno.h>
#include <stdio.h>
#include <stdlib.h>

#include "common/cleanup.h"
#include "hub/tasks/outbox.h"
#include "hub/tasks/scheduler.h"
#include "hub/tasks/task_launch.h"
#include "hub/tasks/task_store.h"

int task_launch_one(struct hub_store *s, const struct task_launch *l, const char *node_id,
		    char task_id[HUB_ID_HEX + 1], const char **ret_reason, struct error *err)
{
	char placed[64];
	if (node_id) {
		snprintf(placed, sizeof(placed), "%s", node_id);
	} else {
		int r = scheduler_place(s, l->cluster, taskdef_reserved_cpu(l->td),
					taskdef_reserved_memory_mib(l->td), placed, ret_reason, err);
		if (r != 0)
			return r;
	}
	if (random_hex(task_id, HUB_ID_HEX / 2) < 0)
		return error_set(err, EIO, "no randomness available");
	_cleanup_free_ char *arn = arn_task(l->cluster, task_id);
	if (!arn)
		return error_set(err, ENOMEM, "out of memory");
	struct task_store_new t = { .id = task_id, .cluster = l->cluster, .family = l->family,
				    .node_id = placed, .revision = l->revision, .td = l->td,
				    .started_by = l->started_by, .group = l->group,
				    .client_token = l->client_token, .overrides = l->overrides };
	if (task_store_insert(s, &t, err) < 0 ||
	    outbox_queue_assign(s, placed, task_id, arn, l->body, err) < 0)
		return -EIO;
	return 0;
}

int task_launch_stop(struct hub_store *s, const char *cluster, const char *task_id,
		     const char *stop_code, const char *reason, struct error *err)
{
	struct task_store_stop_target t;
	int r = task_store_stop_target(s, cluster, task_id, &t, err);
	if (r != 0)
		return r < 0 ? -EIO : 1;
	_cleanup_free_ char *node_id = t.node_id;
	if (t.stopped)
		return 0;
	_cleanup_free_ char *arn = arn_task(cluster, task_id);
	if (!arn)
		return error_set(err, ENOMEM, "out of memory");
	if (task_store_request_stop_as(s, task_id, stop_code, reason, err) < 0)
		return -EIO;
	/* A task the agent never acknowledged is stopped at once; its assignment is withdrawn. */
	if (!t.delivered && task_store_stop_undelivered(s, task_id, err) < 0)
		return -EIO;
	/* The stop goes to the node all the same: an assignment may be on the wire to a connected
	 * agent, and an agent stores an assignment before it acks it, so one that ended or lost
	 * its link before its ack came holds the task, and starts it again when it comes back.
	 * An agent that never had the task acks the stop and nothing else happens. */
	if (outbox_queue_stop(s, node_id, task_id, arn, reason, err) < 0)
		return -EIO;
	return 0;
}
