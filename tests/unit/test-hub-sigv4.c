/* SigV4 as the hub checks it, against signatures computed by botocore's SigV4Auth (the aws
 * CLI's own signer, Debian's awscli 2.9) for the same requests. */
#include <stdlib.h>
#include <string.h>

#include "common/cleanup.h"
#include "common/sha256.h"
#include "hub/sigv4.h"
#include "tests/unit/test.h"

struct header {
	const char *name, *value;
};

static const char *lookup(void *ctx, const char *name, char *buf, size_t size)
{
	for (const struct header *h = ctx; h->name; h++)
		if (!strcmp(h->name, name)) {
			snprintf(buf, size, "%s", h->value);
			return buf;
		}
	return NULL;
}

/* The signature computed for a request, as the hub computes it from the request's headers. */
static int hub_signature(const char *authorization, const char *secret, struct header *headers,
			 const char *body, char sig[SIGV4_HEX_LEN + 1], struct sigv4_authorization *a)
{
	char why[512];
	if (sigv4_parse_authorization(authorization, a, why, sizeof(why)) < 0)
		return -1;
	_cleanup_free_ char *canonical = NULL;
	char payload[SHA256_HEX_LEN + 1];
	if (sigv4_canonical_headers(a, lookup, headers, &canonical) < 0 ||
	    sha256_hex(body, strlen(body), payload) < 0)
		return -1;
	const char *amz_date = lookup(headers, "x-amz-date", why, sizeof(why));
	struct sigv4_request r = { "POST", "/", "", canonical, payload, amz_date };
	return sigv4_signature(secret, a, &r, sig);
}

#define BOTOCORE_ECS                                                                       \
	"AWS4-HMAC-SHA256 Credential=AKIAEXAMPLE0000001/20240102/us-east-1/ecs/aws4_request," \
	" SignedHeaders=content-type;host;x-amz-date;x-amz-target,"                         \
	" Signature=868d0997ee98a45011713cf8536c738fd5e4c4a3a4a7a9074bd2ed1bafe937de"

TEST(hub_sigv4_matches_botocore_for_an_ecs_call)
{
	struct header headers[] = {
		{ "content-type", "application/x-amz-json-1.1" },
		{ "host", "127.0.0.1:8443" },
		{ "x-amz-date", "20240102T030405Z" },
		{ "x-amz-target", "AmazonEC2ContainerServiceV20141113.ListClusters" },
		{ NULL, NULL },
	};
	struct sigv4_authorization a;
	char sig[SIGV4_HEX_LEN + 1];
	ASSERT_INT_EQ(hub_signature(BOTOCORE_ECS, "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY",
				    headers, "{}", sig, &a), 0);
	ASSERT_STR_EQ(sig, "868d0997ee98a45011713cf8536c738fd5e4c4a3a4a7a9074bd2ed1bafe937de");
	ASSERT_TRUE(sigv4_signature_matches(&a, sig));
	ASSERT_STR_EQ(a.key_id, "AKIAEXAMPLE0000001");
	ASSERT_STR_EQ(a.region, "us-east-1");
	ASSERT_STR_EQ(a.service, "ecs");
	ASSERT_STR_EQ(a.date, "20240102");
	ASSERT_TRUE(sigv4_signs_header(&a, "x-amz-target"));
	ASSERT_TRUE(!sigv4_signs_header(&a, "authorization"));
	/* Anything else changes it: the secret, the body, a signed header. */
	ASSERT_INT_EQ(hub_signature(BOTOCORE_ECS, "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEz",
				    headers, "{}", sig, &a), 0);
	ASSERT_TRUE(!sigv4_signature_matches(&a, sig));
	ASSERT_INT_EQ(hub_signature(BOTOCORE_ECS, "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY",
				    headers, "{} ", sig, &a), 0);
	ASSERT_TRUE(!sigv4_signature_matches(&a, sig));
	headers[3].value = "AmazonEC2ContainerServiceV20141113.StopTask";
	ASSERT_INT_EQ(hub_signature(BOTOCORE_ECS, "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY",
				    headers, "{}", sig, &a), 0);
	ASSERT_TRUE(!sigv4_signature_matches(&a, sig));
}

TEST(hub_sigv4_matches_botocore_for_an_ssm_call_with_odd_headers)
{
	/* Region eu-west-3, service ssm, a secret with '/' and '+', a UTF-8 body, and a signed
	 * header whose value has runs of spaces and a tab that canonicalisation folds. */
	struct header headers[] = {
		{ "content-type", "application/x-amz-json-1.1" },
		{ "host", "hub.example" },
		{ "x-amz-date", "20251231T235959Z" },
		{ "x-amz-meta-note", "  two   spaces\tand tab  " },
		{ "x-amz-target", "AmazonSSM.CreateActivation" },
		{ NULL, NULL },
	};
	const char *auth = "AWS4-HMAC-SHA256 Credential=AKIATETHER9KEY2/20251231/eu-west-3/ssm/"
			   "aws4_request, SignedHeaders=content-type;host;x-amz-date;x-amz-meta-note;"
			   "x-amz-target, Signature=6d2118f63bde455f81563f0c46c38a179bf1cf0402e76ca10"
			   "cb21a0049bf2e7c";
	struct sigv4_authorization a;
	char sig[SIGV4_HEX_LEN + 1];
	ASSERT_INT_EQ(hub_signature(auth, "s3cr3t+/with/slashes+and+plus0123456789ab", headers,
				    "{\"IamRole\":\"tether\",\"RegistrationLimit\":10,"
				    "\"Description\":\"caf\xc3\xa9\"}", sig, &a), 0);
	ASSERT_STR_EQ(sig, "6d2118f63bde455f81563f0c46c38a179bf1cf0402e76ca10cb21a0049bf2e7c");
	ASSERT_TRUE(sigv4_signature_matches(&a, sig));
}

static void refused(const char *header, const char *why_part)
{
	struct sigv4_authorization a;
	char why[512] = "";
	if (sigv4_parse_authorization(header, &a, why, sizeof(why)) != -EINVAL)
		test_fail_at(__FILE__, __LINE__, "taken: %s", header);
	else if (!strstr(why, why_part))
		test_fail_at(__FILE__, __LINE__, "'%s' gives '%s', not '%s'", header, why, why_part);
}

TEST(hub_sigv4_authorization_refusals_say_what_aws_says)
{
	refused("Bearer abc", "Authorization header requires 'Credential' parameter. "
			      "Authorization header requires 'Signature' parameter. "
			      "Authorization header requires 'SignedHeaders' parameter. "
			      "Authorization=Bearer abc");
	refused("AWS4-HMAC-SHA256 Credential=A/20240102/r/ecs/aws4_request, SignedHeaders=host",
		"Authorization header requires 'Signature' parameter. Authorization=");
	refused("AWS4-HMAC-SHA256 Credential A/20240102/r/ecs/aws4_request",
		"'Credential A/20240102/r/ecs/aws4_request' not a valid key=value pair (missing"
		" equal-sign) in Authorization header");
	refused("AWS4-HMAC-SHA256 Credential=A/20240102/r/ecs, SignedHeaders=host, Signature=ab",
		"Credential must have exactly 5 slash-delimited elements, e.g."
		" keyid/date/region/service/term, got 'A/20240102/r/ecs'");
	refused("AWS4-HMAC-SHA256 Credential=A/20240102/r/ecs/aws4/x, SignedHeaders=host, Signature=a",
		"exactly 5 slash-delimited elements");
	refused("AWS4-HMAC-SHA256 Credential=A/20240102/r/ecs/aws5_request, SignedHeaders=host,"
		" Signature=ab", "Credential should be scoped with a valid terminator: 'aws4_request',"
		" not 'aws5_request'");
	refused("AWS4-HMAC-SHA256 Credential=A/20240102/US_EAST/ecs/aws4_request,"
		" SignedHeaders=host, Signature=ab", "Credential should be scoped to a valid region,"
		" not 'US_EAST'");
	refused("AWS4-HMAC-SHA256 Credential=A/2024-1-2/r/ecs/aws4_request, SignedHeaders=host,"
		" Signature=ab", "date must be YYYYMMDD");
	refused("AWS4-HMAC-SHA256 Credential=A!/20240102/r/ecs/aws4_request, SignedHeaders=host,"
		" Signature=ab", "access key id");
	refused("AWS4-HMAC-SHA256 Credential=A/20240102/r/ecs/aws4_request, SignedHeaders=x;host,"
		" Signature=ab", "SignedHeaders must be lowercase header names");
	refused("AWS4-HMAC-SHA256 Credential=A/20240102/r/ecs/aws4_request, SignedHeaders=Host,"
		" Signature=ab", "SignedHeaders must be lowercase");
	refused("AWS4-HMAC-SHA256 Credential=A/20240102/r/ecs/aws4_request, SignedHeaders=host;;x,"
		" Signature=ab", "SignedHeaders must be");
	refused("AWS4-HMAC-SHA256 Credential=A/20240102/r/ecs/aws4_request, SignedHeaders=host,"
		" Signature=ab, Signature=cd", "'Signature' more than once");
}

TEST(hub_sigv4_malformed_signature_never_matches)
{
	struct sigv4_authorization a;
	char why[512];
	ASSERT_INT_EQ(sigv4_parse_authorization(
			      "AWS4-HMAC-SHA256 Credential=A/20240102/r/ecs/aws4_request,"
			      " SignedHeaders=host, Signature=868D0997EE98A45011713CF8536C738FD5E4C4A3"
			      "A4A7A9074BD2ED1BAFE937DE", &a, why, sizeof(why)), 0);
	ASSERT_TRUE(!a.signature_well_formed);
	ASSERT_TRUE(!sigv4_signature_matches(
		&a, "868d0997ee98a45011713cf8536c738fd5e4c4a3a4a7a9074bd2ed1bafe937de"));
}

TEST(hub_sigv4_amz_date)
{
	time_t t;
	ASSERT_INT_EQ(sigv4_parse_amz_date("20240102T030405Z", &t), 0);
	ASSERT_INT_EQ(t, 1704164645);
	char back[SIGV4_AMZ_DATE_LEN + 1];
	sigv4_format_amz_date(t, back);
	ASSERT_STR_EQ(back, "20240102T030405Z");
	static const char *const bad[] = { "20240102T030405", "2024-01-02T03:04:05Z",
					   "20241302T030405Z", "20240231T030405Z", "20240102t030405Z",
					   "20240102T246060Z", "", "2024010 T030405Z" };
	for (size_t i = 0; i < ELEMENTSOF(bad); i++)
		if (sigv4_parse_amz_date(bad[i], &t) != -EINVAL) {
			test_fail_at(__FILE__, __LINE__, "'%s' taken", bad[i]);
			return;
		}
}

TEST(hub_sigv4_canonical_value)
{
	char out[32];
	ASSERT_INT_EQ(sigv4_canonical_value("  a   b\t\tc  ", out, sizeof(out)), 0);
	ASSERT_STR_EQ(out, "a b c");
	ASSERT_INT_EQ(sigv4_canonical_value("", out, sizeof(out)), 0);
	ASSERT_STR_EQ(out, "");
	ASSERT_INT_EQ(sigv4_canonical_value("abcdef", out, 4), -ENOBUFS);
}
