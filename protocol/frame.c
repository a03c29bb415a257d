#include "protocol/frame.h"

#include <errno.h>
#include <math.h>
#include <string.h>

#include "common/cleanup.h"

static const char *const frame_type_names[_FRAME_TYPE_MAX] = {
	[FRAME_CHALLENGE] = "challenge",
	[FRAME_HELLO] = "hello",
	[FRAME_WELCOME] = "welcome",
	[FRAME_ACK] = "ack",
	[FRAME_ERROR] = "error",
	[FRAME_TASK_ASSIGN] = "task_assign",
	[FRAME_TASK_STOP] = "task_stop",
	[FRAME_TASK_STATE] = "task_state",
	[FRAME_NODE_STATUS] = "node_status",
	[FRAME_HEARTBEAT] = "heartbeat",
};

/* Largest integer a JSON number (a double) carries exactly. */
#define SEQ_MAX ((1ULL << 53) - 1)

const char *frame_type_to_string(enum frame_type t)
{
	return t < _FRAME_TYPE_MAX ? frame_type_names[t] : NULL;
}

int frame_type_from_string(const char *s, enum frame_type *ret)
{
	for (size_t i = 0; i < _FRAME_TYPE_MAX; i++)
		if (!strcmp(s, frame_type_names[i])) {
			*ret = (enum frame_type)i;
			return 0;
		}
	return -EINVAL;
}

bool frame_type_is_reliable(enum frame_type t)
{
	return t == FRAME_TASK_ASSIGN || t == FRAME_TASK_STOP || t == FRAME_TASK_STATE;
}

static int seq_from_json(const cJSON *item, uint64_t *ret)
{
	if (!cJSON_IsNumber(item))
		return -EINVAL;
	double v = item->valuedouble;
	if (!(v >= 1 && v <= (double)SEQ_MAX) || floor(v) != v)
		return -ERANGE;
	*ret = (uint64_t)v;
	return 0;
}

int frame_parse(const char *data, size_t size, struct frame *ret, struct error *err)
{
	if (size > FRAME_MAX_SIZE)
		return error_set(err, EMSGSIZE, "frame of %zu bytes exceeds the limit of %d", size,
				 FRAME_MAX_SIZE);
	cJSON *json = cJSON_ParseWithLength(data, size);
	if (!json)
		return error_set(err, EBADMSG, "frame is not valid JSON");
	if (!cJSON_IsObject(json)) {
		cJSON_Delete(json);
		return error_set(err, EBADMSG, "frame is not a JSON object");
	}
	const cJSON *type = cJSON_GetObjectItemCaseSensitive(json, "type");
	enum frame_type t;
	if (!cJSON_IsString(type)) {
		cJSON_Delete(json);
		return error_set(err, EBADMSG, "frame has no \"type\" string");
	}
	if (frame_type_from_string(type->valuestring, &t) < 0) {
		int r = error_set(err, EBADMSG, "unknown frame type \"%.64s\"", type->valuestring);
		cJSON_Delete(json);
		return r;
	}
	const cJSON *seq_item = cJSON_GetObjectItemCaseSensitive(json, "seq");
	uint64_t seq = 0;
	bool needs_seq = frame_type_is_reliable(t) || t == FRAME_ACK;
	if (needs_seq && seq_from_json(seq_item, &seq) < 0) {
		cJSON_Delete(json);
		return error_set(err, EBADMSG, "%s frame needs \"seq\", an integer from 1 to 2^53-1",
				 frame_type_names[t]);
	}
	if (!needs_seq && seq_item) {
		cJSON_Delete(json);
		return error_set(err, EBADMSG, "%s frame must not carry \"seq\"", frame_type_names[t]);
	}
	*ret = (struct frame){ .type = t, .seq = seq, .json = json };
	return 0;
}

void frame_release(struct frame *f)
{
	if (f) {
		cJSON_Delete(f->json);
		f->json = NULL;
	}
}

cJSON *frame_new(enum frame_type type, uint64_t seq)
{
	cJSON *f = cJSON_CreateObject();
	if (!f)
		return NULL;
	if (!cJSON_AddStringToObject(f, "type", frame_type_names[type]) ||
	    (seq > 0 && !cJSON_AddNumberToObject(f, "seq", (double)seq))) {
		cJSON_Delete(f);
		return NULL;
	}
	return f;
}

char *frame_print(const cJSON *frame)
{
	return cJSON_PrintUnformatted(frame);
}
