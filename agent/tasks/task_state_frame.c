#include <errno.h>
#include <string.h>
#include <time.h>

#include "agent/tasks/task_state_frame.h"
#include "common/task_id.h"
#include "protocol/frame.h"

static bool add_string_or_null(cJSON *obj, const char *name, const char *value)
{
	return value ? cJSON_AddStringToObject(obj, name, value) != NULL
		     : cJSON_AddNullToObject(obj, name) != NULL;
}

static cJSON *container_json(const struct container_report *c, const char *task_id)
{
	char runtime_id[TASK_ID_MAX + 256];
	container_runtime_id(task_id, c->name, runtime_id, sizeof(runtime_id));
	cJSON *j = cJSON_CreateObject();
	if (!j || !cJSON_AddStringToObject(j, "name", c->name) ||
	    !cJSON_AddStringToObject(j, "runtime_id", runtime_id) ||
	    !cJSON_AddStringToObject(j, "status", task_status_to_string(c->status)) ||
	    (c->has_exit_code && !cJSON_AddNumberToObject(j, "exit_code", c->exit_code)) ||
	    !add_string_or_null(j, "reason", c->reason) ||
	    (c->has_restart_policy && !cJSON_AddNumberToObject(j, "restart_count", c->restart_count)) ||
	    (c->has_health_check &&
	     (!cJSON_AddStringToObject(j, "health_status", container_health_name(c->health)) ||
	      (c->health_output && !cJSON_AddStringToObject(j, "health_output", c->health_output))))) {
		cJSON_Delete(j);
		return NULL;
	}
	return j;
}

cJSON *task_state_frame_new(const struct task_report *report, double at)
{
	/* seq 0: frame_new leaves it out; the outbox adds the real one. */
	cJSON *f = frame_new(FRAME_TASK_STATE, 0);
	const char *slash = strrchr(report->task_arn, '/');
	const char *task_id = slash ? slash + 1 : report->task_arn;
	cJSON *containers = cJSON_CreateArray();
	if (!f || !containers)
		goto fail;
	if (!cJSON_AddStringToObject(f, "task_arn", report->task_arn) ||
	    !cJSON_AddStringToObject(f, "status", task_status_to_string(report->status)))
		goto fail;
	if (report->stop_code && !cJSON_AddStringToObject(f, "stop_code", report->stop_code))
		goto fail;
	if (report->stopped_reason &&
	    !cJSON_AddStringToObject(f, "stopped_reason", report->stopped_reason))
		goto fail;
	for (size_t i = 0; i < report->n_containers; i++) {
		cJSON *c = container_json(&report->containers[i], task_id);
		if (!c)
			goto fail;
		cJSON_AddItemToArray(containers, c);
	}
	cJSON_AddItemToObject(f, "containers", containers);
	containers = NULL;
	if ((report->pull_started_at > 0 &&
	     !cJSON_AddNumberToObject(f, "pull_started_at", report->pull_started_at)) ||
	    (report->pull_stopped_at > 0 &&
	     !cJSON_AddNumberToObject(f, "pull_stopped_at", report->pull_stopped_at)))
		goto fail;
	if (report->has_health_check &&
	    !cJSON_AddStringToObject(f, "health_status", container_health_name(report->health)))
		goto fail;
	if (!cJSON_AddNumberToObject(f, "at", at))
		goto fail;
	return f;
fail:
	cJSON_Delete(containers);
	cJSON_Delete(f);
	return NULL;
}

cJSON *task_state_frame_now(const struct task_report *report)
{
	struct timespec now;
	clock_gettime(CLOCK_REALTIME, &now);
	return task_state_frame_new(report, (double)now.tv_sec + (double)now.tv_nsec / 1e9);
}

int task_state_record(struct store *s, const struct task_report *report, uint64_t *ret_seq,
		      char **ret_text, struct error *err)
{
	cJSON *f = task_state_frame_now(report);
	if (!f)
		return error_set(err, ENOMEM, "out of memory");
	int r = store_task_state_append(s, report->task_arn, task_status_to_string(report->status),
					f, ret_seq, ret_text, err);
	cJSON_Delete(f);
	return r;
}
