/* The hub's HTTP front door apart from libwebsockets: request heads and the answers' shapes. */
#include <stdlib.h>

#include "hub/http_answer.h"
#include "hub/http_head.h"
#include "tests/unit/test.h"

TEST(hub_http_content_length_is_one_plain_number)
{
	uint64_t n = 7;
	ASSERT_INT_EQ(http_content_length("0", false, 100, &n), HTTP_LENGTH_OK);
	ASSERT_INT_EQ(n, 0);
	ASSERT_INT_EQ(http_content_length("0042", false, 100, &n), HTTP_LENGTH_OK);
	ASSERT_INT_EQ(n, 42);
	ASSERT_INT_EQ(http_content_length("100", false, 100, &n), HTTP_LENGTH_OK);
	ASSERT_INT_EQ(n, 100);
}

TEST(hub_http_content_length_refusals)
{
	uint64_t n = 7;
	ASSERT_INT_EQ(http_content_length(NULL, false, 100, &n), HTTP_LENGTH_MISSING);
	ASSERT_INT_EQ(http_content_length("2", true, 100, &n), HTTP_LENGTH_MISSING);
	static const char *const invalid[] = { "", "abc", "-5", "+2", " 2", "2 ", "2,3", "2,2",
					       "0x10", "1e3", "2\t" };
	for (size_t i = 0; i < sizeof(invalid) / sizeof(invalid[0]); i++)
		if (http_content_length(invalid[i], false, 100, &n) != HTTP_LENGTH_INVALID) {
			test_fail_at(__FILE__, __LINE__, "'%s' taken", invalid[i]);
			return;
		}
	ASSERT_INT_EQ(http_content_length("101", false, 100, &n), HTTP_LENGTH_TOO_LARGE);
	ASSERT_INT_EQ(http_content_length("99999999999999999999999", false, 100, &n),
		      HTTP_LENGTH_TOO_LARGE);
	ASSERT_INT_EQ(http_content_length("18446744073709551616", false, UINT64_MAX, &n),
		      HTTP_LENGTH_TOO_LARGE);
	ASSERT_INT_EQ(n, 7); /* untouched by refusals */
}

TEST(hub_http_refusals_take_the_shape_of_their_path)
{
	struct http_reply reply = { 0 };
	http_refuse(false, &reply, 400, "SerializationException", "bad %s", "length");
	ASSERT_INT_EQ(reply.status, 400);
	ASSERT_STR_EQ(reply.body, "{\"__type\":\"SerializationException\",\"message\":\"bad length\"}");
	http_refuse(true, &reply, 411, "InvalidRequest", "no length");
	ASSERT_INT_EQ(reply.status, 411);
	ASSERT_STR_EQ(reply.body, "{\"error\":\"InvalidRequest\",\"message\":\"no length\"}");
	http_reply_release(&reply);
	ASSERT_TRUE(reply.body == NULL);
}
