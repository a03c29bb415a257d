#include "protocol/frame.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "common/cleanup.h"
#include "protocol/json_value.h"

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
	[FRAME_DEREGISTER] = "deregister",
	[FRAME_METRICS] = "metrics",
	[FRAME_METRICS_ACK] = "metrics_ack",
	[FRAME_TASK_REPORT] = "task_report",
	[FRAME_TASK_MANIFEST] = "task_manifest",
	[FRAME_TASK_STOP_VERIFY] = "task_stop_verify",
	[FRAME_TASK_STOP_CONFIRM] = "task_stop_confirm",
};

static const char *parse_version_number(const char *p, unsigned *ret)
{
	unsigned v = 0;
	const char *start = p;
	for (; *p >= '0' && *p <= '9'; p++) {
		v = v * 10 + (unsigned)(*p - '0');
		if (v > 65535)
			return NULL;
	}
	if (p == start)
		return NULL;
	*ret = v;
	return p;
}

int protocol_version_parse(const char *text, unsigned *ret_major, unsigned *ret_minor)
{
	unsigned major, minor;
	const char *p = text ? parse_version_number(text, &major) : NULL;
	if (!p || *p != '.' || !(p = parse_version_number(p + 1, &minor)) || *p)
		return -EINVAL;
	*ret_major = major;
	*ret_minor = minor;
	return 0;
}

const char *frame_type_to_string(enum frame_type t)
{
	return t < _FRAME_TYPE_MAX ? frame_type_names[t] : NULL;
}

int frame_type_from_string(const char *s, enum frame_type *ret)
{
	if (!s)
		return -EINVAL;
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
	if (!json_is_unsigned_integer(item) || item->valuedouble < 1)
		return -EINVAL;
	*ret = (uint64_t)item->valuedouble;
	return 0;
}

/* cJSON stops at the end of the first value; anything but whitespace after it is refused. */
static bool only_whitespace(const char *p, const char *end)
{
	for (; p < end; p++)
		if (*p != ' ' && *p != '\t' && *p != '\r' && *p != '\n')
			return false;
	return true;
}

int frame_parse(const char *data, size_t size, struct frame *ret, struct error *err)
{
	if (size > FRAME_MAX_SIZE)
		return error_set(err, EMSGSIZE, "frame of %zu bytes exceeds the limit of %d", size,
				 FRAME_MAX_SIZE);
	if (json_text_has_nul(data, size))
		return error_set(err, EBADMSG, "frame must not contain NUL characters");
	const char *end = NULL;
	_cleanup_(cjson_deletep) cJSON *json = cJSON_ParseWithLengthOpts(data, size, &end, false);
	if (!json || !only_whitespace(end, data + size))
		return error_set(err, EBADMSG, "frame is not valid JSON");
	if (!cJSON_IsObject(json))
		return error_set(err, EBADMSG, "frame is not a JSON object");
	const cJSON *type = cJSON_GetObjectItemCaseSensitive(json, "type");
	enum frame_type t;
	if (!cJSON_IsString(type) || !type->valuestring)
		return error_set(err, EBADMSG, "frame has no \"type\" string");
	if (frame_type_from_string(type->valuestring, &t) < 0)
		return error_set(err, EBADMSG, "unknown frame type \"%.64s\"", type->valuestring);
	const cJSON *seq_item = cJSON_GetObjectItemCaseSensitive(json, "seq");
	uint64_t seq = 0;
	bool needs_seq = frame_type_is_reliable(t) || t == FRAME_ACK;
	if (needs_seq && !seq_item)
		return error_set(err, EBADMSG, "%s frame needs \"seq\"", frame_type_names[t]);
	/* Other frames may carry a seq (a later minor version may add one); it must still be
	 * valid, and it is not reported. */
	if (seq_item && seq_from_json(seq_item, &seq) < 0)
		return error_set(err, EBADMSG, "%s frame: \"seq\" must be an integer from 1 to 2^53-1",
				 frame_type_names[t]);
	if (!needs_seq)
		seq = 0;
	*ret = (struct frame){ .type = t, .seq = seq, .json = TAKE_PTR(json) };
	return 0;
}

void frame_release(struct frame *f)
{
	if (f) {
		cJSON_Delete(f->json);
		f->json = NULL;
	}
}

/* cJSON prints numbers with 15 significant digits, which would round a seq above 10^15;
 * the seq is written as its exact decimal text instead. */
static bool add_seq(cJSON *frame, uint64_t seq)
{
	char text[24];
	snprintf(text, sizeof(text), "%" PRIu64, seq);
	return cJSON_AddRawToObject(frame, "seq", text) != NULL;
}

cJSON *frame_new(enum frame_type type, uint64_t seq)
{
	if (type >= _FRAME_TYPE_MAX || seq > JSON_MAX_SAFE_INTEGER)
		return NULL;
	cJSON *f = cJSON_CreateObject();
	if (!f)
		return NULL;
	if (!cJSON_AddStringToObject(f, "type", frame_type_names[type]) ||
	    (seq > 0 && !add_seq(f, seq))) {
		cJSON_Delete(f);
		return NULL;
	}
	return f;
}

char *frame_print(const cJSON *frame)
{
	return cJSON_PrintUnformatted(frame);
}
