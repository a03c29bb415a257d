/* Who may call the operator API (hub/operator_auth.h), with a request signed by botocore's
 * SigV4Auth (Debian's awscli 2.9) on 2024-01-02 03:04:05 UTC. */
#include <stdlib.h>
#include <string.h>

#include "common/cleanup.h"
#include "hub/access_keys.h"
#include "hub/operator_audit.h"
#include "hub/operator_auth.h"
#include "tests/unit/test.h"

#define KEY_ID "AKIAEXAMPLE0000001"
#define SECRET "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY"
#define SIGNED_AT 1704164645 /* 20240102T030405Z */
#define TARGET "AmazonEC2ContainerServiceV20141113.ListClusters"
#define AUTHORIZATION                                                                      \
	"AWS4-HMAC-SHA256 Credential=" KEY_ID "/20240102/us-east-1/ecs/aws4_request,"      \
	" SignedHeaders=content-type;host;x-amz-date;x-amz-target,"                         \
	" Signature=868d0997ee98a45011713cf8536c738fd5e4c4a3a4a7a9074bd2ed1bafe937de"
#define CANONICAL_HEADERS                                                                  \
	"content-type:application/x-amz-json-1.1\nhost:127.0.0.1:8443\n"                  \
	"x-amz-date:20240102T030405Z\nx-amz-target:" TARGET "\n"

struct fixture {
	struct operator_auth_context ctx;
	struct operator_credentials req;
};

/* A keys table holding KEY_ID with SECRET, sealed as `tether-hub keys create` seals. */
static int fixture_new(struct fixture *f)
{
	*f = (struct fixture){ 0 };
	char *db = NULL;
	if (asprintf(&db, "%s/hub.db", test_tmpdir()) < 0)
		return -1;
	struct error err = { 0 };
	int r = access_keys_open(db, &f->ctx.keys, &err);
	free(db);
	_cleanup_free_ unsigned char *sealed = NULL;
	size_t size = 0;
	sqlite3_stmt *st = NULL;
	if (r < 0 || seal(f->ctx.keys->seal_key, KEY_ID, SECRET, &sealed, &size) < 0 ||
	    sqlite3_prepare_v2(f->ctx.keys->db, "INSERT INTO access_keys(id, sealed_secret,"
			       " created_at) VALUES(?, ?, 0)", -1, &st, NULL) != SQLITE_OK)
		return -1;
	sqlite3_bind_text(st, 1, KEY_ID, -1, SQLITE_STATIC);
	sqlite3_bind_blob(st, 2, sealed, (int)size, SQLITE_STATIC);
	r = sqlite3_step(st) == SQLITE_DONE ? 0 : -1;
	sqlite3_finalize(st);
	f->ctx.replays = replay_cache_new();
	f->req = (struct operator_credentials){
		.peer = "192.0.2.7", .tls = true, .target = TARGET, .authorization = AUTHORIZATION,
		.amz_date = "20240102T030405Z", .canonical_headers = CANONICAL_HEADERS,
		.body = "{}", .size = 2,
	};
	return f->ctx.replays ? r : -1;
}

static void fixture_free(struct fixture *f)
{
	access_keys_close(f->ctx.keys);
	replay_cache_free(f->ctx.replays);
}

#define REFUSED(f, now, type_, message_part)                                               \
	do {                                                                               \
		struct operator_caller c_;                                                 \
		ASSERT_INT_EQ(operator_auth_check(&(f)->ctx, &(f)->req, (now), &c_), -EPERM); \
		ASSERT_STR_EQ(c_.type, type_);                                             \
		ASSERT_CONTAINS(c_.message, message_part);                                 \
		ASSERT_INT_EQ(c_.status, 400);                                             \
		ASSERT_TRUE(c_.id[0] == '\0');                                             \
	} while (0)

TEST(hub_operator_auth_accepts_a_botocore_signature_once)
{
	struct fixture f;
	ASSERT_INT_EQ(fixture_new(&f), 0);
	struct operator_caller c;
	ASSERT_INT_EQ(operator_auth_check(&f.ctx, &f.req, SIGNED_AT + 10, &c), 0);
	ASSERT_STR_EQ(c.id, KEY_ID);
	/* The same signature again, within its window: a replay. */
	REFUSED(&f, SIGNED_AT + 20, "InvalidSignatureException", "Signature already used");
	fixture_free(&f);
}

TEST(hub_operator_auth_clock_window_in_aws_words)
{
	struct fixture f;
	ASSERT_INT_EQ(fixture_new(&f), 0);
	REFUSED(&f, SIGNED_AT + 301, "InvalidSignatureException",
		"Signature expired: 20240102T030405Z is now earlier than 20240102T030406Z"
		" (20240102T030906Z - 5 min.)");
	REFUSED(&f, SIGNED_AT - 301, "InvalidSignatureException",
		"Signature not yet current: 20240102T030405Z is still later than 20240102T030404Z"
		" (20240102T025904Z + 5 min.)");
	struct operator_caller c;
	ASSERT_INT_EQ(operator_auth_check(&f.ctx, &f.req, SIGNED_AT - 300, &c), 0);
	fixture_free(&f);
}

TEST(hub_operator_auth_refusals)
{
	struct fixture f;
	ASSERT_INT_EQ(fixture_new(&f), 0);
	f.req.body = "{} ";
	f.req.size = 3;
	REFUSED(&f, SIGNED_AT, "InvalidSignatureException",
		"The request signature we calculated does not match the signature you provided."
		" Check your AWS Secret Access Key and signing method. Consult the service"
		" documentation for details.");
	f.req.body = "{}";
	f.req.size = 2;
	f.req.security_token = true;
	REFUSED(&f, SIGNED_AT, "UnrecognizedClientException",
		"The security token included in the request is invalid.");
	f.req.security_token = false;
	f.req.target = "AmazonSSM.CreateActivation";
	REFUSED(&f, SIGNED_AT, "InvalidSignatureException",
		"Credential should be scoped to correct service: 'ssm'.");
	f.req.target = TARGET;
	f.req.amz_date = NULL;
	REFUSED(&f, SIGNED_AT, "IncompleteSignatureException",
		"Authorization header requires existence of either a 'X-Amz-Date' or a 'Date'"
		" header.");
	f.req.amz_date = "2024-01-02";
	REFUSED(&f, SIGNED_AT, "IncompleteSignatureException",
		"Date must be in ISO-8601 'basic format'. Got '2024-01-02'.");
	f.req.amz_date = "20240103T030405Z";
	REFUSED(&f, SIGNED_AT, "InvalidSignatureException",
		"Date in Credential scope does not match YYYYMMDD from ISO-8601 version of date"
		" from HTTP: '20240102' != '20240103', from 'X-Amz-Date'.");
	f.req.amz_date = "20240102T030405Z";
	f.req.authorization = "AWS4-HMAC-SHA256 Credential=" KEY_ID "/20240102/us-east-1/ecs/"
			      "aws4_request, SignedHeaders=content-type;x-amz-date;x-amz-target,"
			      " Signature=00";
	REFUSED(&f, SIGNED_AT, "IncompleteSignatureException", "'Host' or ':authority' must be"
		" a 'SignedHeader' in the AWS Authorization.");
	f.req.authorization = "Basic dXNlcjpwYXNz";
	REFUSED(&f, SIGNED_AT, "IncompleteSignatureException",
		"Authorization header requires 'Credential' parameter.");
	f.req.authorization = "AWS4-HMAC-SHA256 Credential=AKIAUNKNOWN00000000/20240102/us-east-1"
			      "/ecs/aws4_request, SignedHeaders=host;x-amz-date;x-amz-target,"
			      " Signature=868d0997ee98a45011713cf8536c738fd5e4c4a3a4a7a9074bd2ed1bafe937de";
	REFUSED(&f, SIGNED_AT, "UnrecognizedClientException",
		"The security token included in the request is invalid.");
	fixture_free(&f);
}

TEST(hub_operator_auth_unsigned_only_with_dev_from_loopback)
{
	struct fixture f;
	ASSERT_INT_EQ(fixture_new(&f), 0);
	f.req.authorization = NULL;
	f.req.peer = "127.0.0.1";
	REFUSED(&f, SIGNED_AT, "MissingAuthenticationTokenException",
		"Request is missing Authentication Token");
	f.ctx.dev = true;
	struct operator_caller c;
	ASSERT_INT_EQ(operator_auth_check(&f.ctx, &f.req, SIGNED_AT, &c), 0);
	ASSERT_STR_EQ(c.id, "dev");
	f.req.peer = "::ffff:192.0.2.7";
	REFUSED(&f, SIGNED_AT, "MissingAuthenticationTokenException",
		"Request is missing Authentication Token");
	fixture_free(&f);
}

TEST(hub_operator_auth_signed_over_plain_http_only_from_loopback)
{
	struct fixture f;
	ASSERT_INT_EQ(fixture_new(&f), 0);
	f.req.tls = false;
	REFUSED(&f, SIGNED_AT, "AccessDeniedException", "use https");
	f.req.peer = "::1";
	struct operator_caller c;
	ASSERT_INT_EQ(operator_auth_check(&f.ctx, &f.req, SIGNED_AT, &c), 0);
	fixture_free(&f);
}

TEST(hub_operator_audit_line_names_who_what_and_result_only)
{
	struct operator_caller ok = { .id = KEY_ID, .status = 200 };
	const char *body = "{\"cluster\":\"prod\",\"taskDefinition\":\"web:3\",\"count\":2,"
			   "\"overrides\":{\"containerOverrides\":[{\"environment\":[{\"name\":"
			   "\"PASSWORD\",\"value\":\"hunter2\"}]}]}}";
	_cleanup_free_ char *run = operator_audit_line(
		&ok, "192.0.2.7", "AmazonEC2ContainerServiceV20141113.RunTask", body, strlen(body),
		200,
		"{\"tasks\":[{\"taskArn\":\"arn:t/1\"},{\"taskArn\":\"arn:t/2\"}],\"failures\":[]}");
	ASSERT_STR_EQ(run, "{\"caller\":\"" KEY_ID "\",\"peer\":\"192.0.2.7\",\"operation\":"
			   "\"RunTask\",\"cluster\":\"prod\",\"taskDefinition\":\"web:3\",\"count\":2,"
			   "\"status\":200,\"taskArns\":[\"arn:t/1\",\"arn:t/2\"]}");
	struct operator_caller refused = { .claimed = "AKIAWHO", .status = 400 };
	_cleanup_free_ char *act = operator_audit_line(
		&refused, "::1", "AmazonSSM.CreateActivation", "{\"IamRole\":\"r\"}", 15, 400,
		"{\"__type\":\"InvalidSignatureException\",\"message\":\"...\"}");
	ASSERT_STR_EQ(act, "{\"caller\":\"unauthenticated\",\"claimedAccessKeyId\":\"AKIAWHO\","
			   "\"peer\":\"::1\",\"operation\":\"CreateActivation\",\"IamRole\":\"r\","
			   "\"status\":400,\"error\":\"InvalidSignatureException\"}");
	_cleanup_free_ char *code = operator_audit_line(
		&ok, "::1", "AmazonSSM.CreateActivation", "{}", 2, 200,
		"{\"ActivationId\":\"a-1\",\"ActivationCode\":\"SECRETCODE\"}");
	ASSERT_TRUE(!strstr(code, "SECRETCODE"));
	ASSERT_CONTAINS(code, "\"activationId\":\"a-1\"");
	ASSERT_TRUE(operator_call_mutates("AmazonEC2ContainerServiceV20141113.StopTask"));
	ASSERT_TRUE(!operator_call_mutates("AmazonEC2ContainerServiceV20141113.ListTasks"));
	ASSERT_TRUE(operator_call_mutates("AmazonEC2ContainerServiceV20141113.UpdateService"));
	ASSERT_TRUE(!operator_call_mutates("AmazonEC2ContainerServiceV20141113.DescribeServices"));
	_cleanup_free_ char *svc = operator_audit_line(
		&ok, "::1", "AmazonEC2ContainerServiceV20141113.CreateService",
		"{\"serviceName\":\"web\",\"desiredCount\":3}", 38, 200,
		"{\"service\":{\"serviceArn\":\"arn:s\"}}");
	ASSERT_CONTAINS(svc, "\"serviceName\":\"web\",\"desiredCount\":3");
	ASSERT_CONTAINS(svc, "\"serviceArn\":\"arn:s\"");
}
