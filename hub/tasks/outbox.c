#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "common/cleanup.h"
#include "hub/tasks/outbox.h"
#include "hub/tasks/task_store.h"
#include "protocol/frame.h"
#include "protocol/json_value.h"

static int queue(struct hub_store *s, const char *node_id, const char *task_id, const char *kind,
		 cJSON *frame, struct error *err)
{
	_cleanup_free_ char *text = frame_print(frame);
	if (!text)
		return error_set(err, ENOMEM, "out of memory");
	const cJSON *seq = cJSON_GetObjectItemCaseSensitive(frame, "seq");
	return task_store_queue_frame(s, node_id, (uint64_t)seq->valuedouble, task_id, kind, text,
				      err);
}

static cJSON *start_frame(struct hub_store *s, enum frame_type type, const char *node_id,
			  const char *task_arn, struct error *err)
{
	uint64_t seq = 0;
	if (task_store_next_seq(s, node_id, &seq, err) < 0)
		return NULL;
	cJSON *f = frame_new(type, seq);
	if (!f || !cJSON_AddStringToObject(f, "task_arn", task_arn)) {
		cJSON_Delete(f);
		error_set(err, ENOMEM, "out of memory");
		return NULL;
	}
	/* frame_new keeps seq as raw text; a plain number is what the store reads back. */
	cJSON_ReplaceItemInObjectCaseSensitive(f, "seq", cJSON_CreateNumber((double)seq));
	return f;
}

int outbox_queue_assign(struct hub_store *s, const char *node_id, const char *task_id,
			const char *task_arn, const char *taskdef_body, struct error *err)
{
	_cleanup_(cjson_deletep) cJSON *f = start_frame(s, FRAME_TASK_ASSIGN, node_id, task_arn, err);
	if (!f)
		return -EIO;
	cJSON *td = cJSON_Parse(taskdef_body);
	if (!td)
		return error_set(err, EINVAL, "stored task definition is not JSON");
	cJSON_AddItemToObject(f, "task_definition", td);
	return queue(s, node_id, task_id, "assign", f, err);
}

int outbox_queue_stop(struct hub_store *s, const char *node_id, const char *task_id,
		      const char *task_arn, const char *reason, struct error *err)
{
	_cleanup_(cjson_deletep) cJSON *f = start_frame(s, FRAME_TASK_STOP, node_id, task_arn, err);
	if (!f)
		return -EIO;
	cJSON_AddStringToObject(f, "reason", reason);
	return queue(s, node_id, task_id, "stop", f, err);
}
