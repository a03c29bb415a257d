#include <stdlib.h>
#include <string.h>

#include "common/cleanup.h"
#include "protocol/frame.h"
#include "tests/unit/test.h"

static int parse(const char *text, struct frame *f, struct error *err)
{
	return frame_parse(text, strlen(text), f, err);
}

/* Expect text to be refused with -EBADMSG and a message containing what. */
static const char *refusal(const char *text)
{
	static struct error err;
	struct frame f = { 0 };
	error_clear(&err);
	int r = parse(text, &f, &err);
	if (r == 0) {
		frame_release(&f);
		return "(accepted)";
	}
	return r == -EBADMSG ? err.message : "(wrong error code)";
}

TEST(frame_types_round_trip)
{
	for (int t = 0; t < _FRAME_TYPE_MAX; t++) {
		enum frame_type back;
		ASSERT_TRUE(frame_type_to_string((enum frame_type)t) != NULL);
		ASSERT_INT_EQ(frame_type_from_string(frame_type_to_string((enum frame_type)t), &back), 0);
		ASSERT_INT_EQ(back, t);
	}
	enum frame_type t;
	ASSERT_TRUE(frame_type_from_string("TASK_ASSIGN", &t) < 0);
	ASSERT_TRUE(frame_type_to_string(_FRAME_TYPE_MAX) == NULL);
	ASSERT_TRUE(frame_type_is_reliable(FRAME_TASK_ASSIGN));
	ASSERT_TRUE(frame_type_is_reliable(FRAME_TASK_STOP));
	ASSERT_TRUE(frame_type_is_reliable(FRAME_TASK_STATE));
	ASSERT_TRUE(!frame_type_is_reliable(FRAME_ACK));
	ASSERT_TRUE(!frame_type_is_reliable(FRAME_HEARTBEAT));
	ASSERT_TRUE(!frame_type_is_reliable(FRAME_HELLO));
}

TEST(frame_new_print_parse)
{
	cJSON *f = frame_new(FRAME_TASK_STATE, 9007199254740991ULL);
	ASSERT_TRUE(f != NULL);
	ASSERT_TRUE(cJSON_AddStringToObject(f, "task_arn", "arn:x") != NULL);
	_cleanup_free_ char *text = frame_print(f);
	cJSON_Delete(f);
	ASSERT_STR_EQ(text, "{\"type\":\"task_state\",\"seq\":9007199254740991,\"task_arn\":\"arn:x\"}");
	struct frame parsed = { 0 };
	struct error err = { 0 };
	ASSERT_INT_EQ(parse(text, &parsed, &err), 0);
	ASSERT_INT_EQ(parsed.type, FRAME_TASK_STATE);
	ASSERT_TRUE(parsed.seq == 9007199254740991ULL);
	ASSERT_STR_EQ(cJSON_GetStringValue(cJSON_GetObjectItem(parsed.json, "task_arn")), "arn:x");
	frame_release(&parsed);
	ASSERT_TRUE(parsed.json == NULL);

	cJSON *hb = frame_new(FRAME_HEARTBEAT, 0);
	_cleanup_free_ char *hb_text = frame_print(hb);
	cJSON_Delete(hb);
	ASSERT_STR_EQ(hb_text, "{\"type\":\"heartbeat\"}");
	ASSERT_TRUE(frame_new(_FRAME_TYPE_MAX, 0) == NULL);
	ASSERT_TRUE(frame_new(FRAME_ACK, 1ULL << 53) == NULL);
}

TEST(frame_ack_reports_acknowledged_seq)
{
	struct frame f = { 0 };
	struct error err = { 0 };
	ASSERT_INT_EQ(parse("{\"type\": \"ack\", \"seq\": 12}", &f, &err), 0);
	ASSERT_INT_EQ(f.type, FRAME_ACK);
	ASSERT_INT_EQ(f.seq, 12);
	frame_release(&f);
	ASSERT_CONTAINS(refusal("{\"type\": \"ack\"}"), "ack frame needs \"seq\"");
	ASSERT_CONTAINS(refusal("{\"type\": \"ack\", \"seq\": 0}"), "integer from 1 to 2^53-1");
}

TEST(frame_best_effort_seq_ignored_but_checked)
{
	struct frame f = { 0 };
	struct error err = { 0 };
	ASSERT_INT_EQ(parse("{\"type\": \"heartbeat\"}", &f, &err), 0);
	ASSERT_INT_EQ(f.seq, 0);
	frame_release(&f);
	ASSERT_INT_EQ(parse("{\"type\": \"heartbeat\", \"seq\": 4}", &f, &err), 0);
	ASSERT_INT_EQ(f.seq, 0);
	frame_release(&f);
	ASSERT_CONTAINS(refusal("{\"type\": \"heartbeat\", \"seq\": -4}"), "\"seq\" must be");
}

TEST(frame_refuses_bad_seq_on_reliable)
{
	ASSERT_CONTAINS(refusal("{\"type\": \"task_assign\"}"), "task_assign frame needs \"seq\"");
	ASSERT_CONTAINS(refusal("{\"type\": \"task_stop\", \"seq\": \"3\"}"), "\"seq\" must be");
	ASSERT_CONTAINS(refusal("{\"type\": \"task_state\", \"seq\": 1.5}"), "\"seq\" must be");
	ASSERT_CONTAINS(refusal("{\"type\": \"task_state\", \"seq\": -1}"), "\"seq\" must be");
	ASSERT_CONTAINS(refusal("{\"type\": \"task_state\", \"seq\": 9007199254740992}"), "\"seq\" must be");
	ASSERT_CONTAINS(refusal("{\"type\": \"task_state\", \"seq\": 1e400}"), "\"seq\" must be");
	ASSERT_CONTAINS(refusal("{\"type\": \"task_state\", \"seq\": null}"), "\"seq\" must be");
}

TEST(frame_refuses_malformed)
{
	ASSERT_STR_EQ(refusal("not json"), "frame is not valid JSON");
	ASSERT_STR_EQ(refusal(""), "frame is not valid JSON");
	ASSERT_STR_EQ(refusal("{\"type\": \"heartbeat\"} trailing"), "frame is not valid JSON");
	ASSERT_STR_EQ(refusal("[1, 2]"), "frame is not a JSON object");
	ASSERT_STR_EQ(refusal("\"ack\""), "frame is not a JSON object");
	ASSERT_STR_EQ(refusal("{}"), "frame has no \"type\" string");
	ASSERT_STR_EQ(refusal("{\"type\": 3}"), "frame has no \"type\" string");
	ASSERT_STR_EQ(refusal("{\"type\": \"reboot\"}"), "unknown frame type \"reboot\"");
	/* Type names are exact. */
	ASSERT_STR_EQ(refusal("{\"Type\": \"ack\", \"seq\": 1}"), "frame has no \"type\" string");
	/* A NUL byte would end what the JSON parser sees. */
	struct frame f = { 0 };
	struct error err = { 0 };
	ASSERT_INT_EQ(frame_parse("{\"type\":\"heartbeat\"}\0xx", 23, &f, &err), -EBADMSG);
}

TEST(frame_size_limit_and_nesting)
{
	size_t size = FRAME_MAX_SIZE + 1;
	char *big = malloc(size + 1);
	ASSERT_TRUE(big != NULL);
	memset(big, ' ', size);
	memcpy(big, "{\"type\":\"heartbeat\"}", 20);
	big[size] = '\0';
	struct frame f = { 0 };
	struct error err = { 0 };
	int r = frame_parse(big, size, &f, &err);
	ASSERT_INT_EQ(r, -EMSGSIZE);
	/* Exactly at the limit is fine. */
	r = frame_parse(big, FRAME_MAX_SIZE, &f, &err);
	free(big);
	ASSERT_INT_EQ(r, 0);
	frame_release(&f);

	size_t depth = 100000;
	char *deep = malloc(2 * depth + 1);
	ASSERT_TRUE(deep != NULL);
	memset(deep, '[', depth);
	memset(deep + depth, ']', depth);
	deep[2 * depth] = '\0';
	r = frame_parse(deep, 2 * depth, &f, &err);
	free(deep);
	ASSERT_INT_EQ(r, -EBADMSG);
}

TEST(frame_refuses_nul_characters)
{
	ASSERT_STR_EQ(refusal("{\"type\": \"task_stop\", \"seq\": 1, \"task_arn\": \"a\\u0000b\"}"),
		      "frame must not contain NUL characters");
	struct frame f = { 0 };
	struct error err = { 0 };
	ASSERT_INT_EQ(parse("{\"type\": \"heartbeat\", \"note\": \"\\\\u0000\"}", &f, &err), 0);
	frame_release(&f);
}
