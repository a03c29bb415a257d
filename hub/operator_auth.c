#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "common/sha256.h"
#include "hub/access.h"
#include "hub/operator_auth.h"
#include "hub/sigv4.h"

#define ECS_TARGET_PREFIX "AmazonEC2ContainerServiceV20141113."
#define SSM_TARGET_PREFIX "AmazonSSM."
#define EVENTS_TARGET_PREFIX "AWSEvents."

static const char bad_token[] = "The security token included in the request is invalid.";
static const char mismatch[] =
	"The request signature we calculated does not match the signature you provided. Check"
	" your AWS Secret Access Key and signing method. Consult the service documentation for"
	" details.";

static int refuse(struct operator_caller *c, int status, const char *type, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

static int refuse(struct operator_caller *c, int status, const char *type, const char *fmt, ...)
{
	c->status = status;
	c->type = type;
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(c->message, sizeof(c->message), fmt, ap);
	va_end(ap);
	return -EPERM;
}

/* The service a target belongs to; NULL for a target of none of them (answered later as an
 * unknown operation). */
static const char *service_of(const char *target)
{
	if (!strncmp(target, ECS_TARGET_PREFIX, strlen(ECS_TARGET_PREFIX)))
		return "ecs";
	if (!strncmp(target, SSM_TARGET_PREFIX, strlen(SSM_TARGET_PREFIX)))
		return "ssm";
	if (!strncmp(target, EVENTS_TARGET_PREFIX, strlen(EVENTS_TARGET_PREFIX)))
		return "events";
	return NULL;
}

/* The scope, the signed headers and the clock, before any key is looked up. */
static int check_scope(const struct operator_credentials *req, const struct sigv4_authorization *a,
		       time_t now, time_t *ret_signed_at, struct operator_caller *c)
{
	if (!req->amz_date)
		return refuse(c, 400, "IncompleteSignatureException",
			      "Authorization header requires existence of either a 'X-Amz-Date' or"
			      " a 'Date' header. Authorization=%.200s", req->authorization);
	time_t at;
	if (sigv4_parse_amz_date(req->amz_date, &at) < 0)
		return refuse(c, 400, "IncompleteSignatureException",
			      "Date must be in ISO-8601 'basic format'. Got '%.32s'. See"
			      " http://en.wikipedia.org/wiki/ISO_8601", req->amz_date);
	if (strncmp(a->date, req->amz_date, 8))
		return refuse(c, 400, "InvalidSignatureException",
			      "Date in Credential scope does not match YYYYMMDD from ISO-8601 version"
			      " of date from HTTP: '%s' != '%.8s', from 'X-Amz-Date'.", a->date,
			      req->amz_date);
	const char *service = service_of(req->target);
	if (service ? strcmp(a->service, service) : strcmp(a->service, "ecs") &&
						     strcmp(a->service, "ssm"))
		return refuse(c, 400, "InvalidSignatureException",
			      "Credential should be scoped to correct service: '%s'. ",
			      service ? service : "ecs");
	if (!sigv4_signs_header(a, "host"))
		return refuse(c, 400, "IncompleteSignatureException",
			      "'Host' or ':authority' must be a 'SignedHeader' in the AWS"
			      " Authorization.");
	if (!sigv4_signs_header(a, "x-amz-target"))
		return refuse(c, 400, "IncompleteSignatureException",
			      "'X-Amz-Target' must be a 'SignedHeader' in the AWS Authorization.");
	char earliest[SIGV4_AMZ_DATE_LEN + 1], latest[SIGV4_AMZ_DATE_LEN + 1],
		now_text[SIGV4_AMZ_DATE_LEN + 1];
	sigv4_format_amz_date(now - SIGV4_SKEW_SECONDS, earliest);
	sigv4_format_amz_date(now + SIGV4_SKEW_SECONDS, latest);
	sigv4_format_amz_date(now, now_text);
	if (at < now - SIGV4_SKEW_SECONDS)
		return refuse(c, 400, "InvalidSignatureException",
			      "Signature expired: %s is now earlier than %s (%s - 5 min.)",
			      req->amz_date, earliest, now_text);
	if (at > now + SIGV4_SKEW_SECONDS)
		return refuse(c, 400, "InvalidSignatureException",
			      "Signature not yet current: %s is still later than %s (%s + 5 min.)",
			      req->amz_date, latest, now_text);
	*ret_signed_at = at;
	return 0;
}

/* The key's secret against the signature. */
static int check_signature(const struct operator_auth_context *ctx,
			   const struct operator_credentials *req,
			   const struct sigv4_authorization *a, struct operator_caller *c)
{
	if (req->security_token) /* the hub issues long-term keys only, never session tokens */
		return refuse(c, 400, "UnrecognizedClientException", bad_token);
	char *secret = NULL;
	struct error err = { 0 };
	int r = ctx->keys ? access_key_secret(ctx->keys, a->key_id, &secret, &err) : -ENOENT;
	if (r == -ENOENT)
		return refuse(c, 400, "UnrecognizedClientException", bad_token);
	if (r < 0)
		return refuse(c, 500, "InternalFailure", "%s", err.message);
	char payload[SHA256_HEX_LEN + 1], computed[SIGV4_HEX_LEN + 1];
	struct sigv4_request sr = { "POST", "/", "", req->canonical_headers, payload,
				    req->amz_date };
	r = sha256_hex(req->body, req->size, payload);
	if (r == 0)
		r = sigv4_signature(secret, a, &sr, computed);
	seal_free_plain(secret);
	if (r < 0)
		return refuse(c, 500, "InternalFailure", "signature could not be computed");
	if (!sigv4_signature_matches(a, computed))
		return refuse(c, 400, "InvalidSignatureException", mismatch);
	return 0;
}

int operator_auth_check(const struct operator_auth_context *ctx,
			const struct operator_credentials *req, time_t now,
			struct operator_caller *caller)
{
	*caller = (struct operator_caller){ .status = 200 };
	bool loopback = hub_peer_is_loopback(req->peer);
	if (!req->authorization) {
		if (ctx->dev && loopback) {
			snprintf(caller->id, sizeof(caller->id), "dev");
			return 0;
		}
		return refuse(caller, 400, "MissingAuthenticationTokenException",
			      "Request is missing Authentication Token");
	}
	if (!req->tls && !loopback)
		return refuse(caller, 400, "AccessDeniedException",
			      "signed requests over plain HTTP are accepted from loopback only: the"
			      " request's body would cross the network in clear text; use https");
	struct sigv4_authorization a;
	char why[sizeof(caller->message)];
	if (sigv4_parse_authorization(req->authorization, &a, why, sizeof(why)) < 0)
		return refuse(caller, 400, "IncompleteSignatureException", "%s", why);
	snprintf(caller->claimed, sizeof(caller->claimed), "%s", a.key_id);
	time_t signed_at = 0;
	int r = check_scope(req, &a, now, &signed_at, caller);
	if (r == 0 && !req->canonical_headers)
		r = refuse(caller, 400, "InvalidSignatureException", mismatch);
	if (r == 0)
		r = check_signature(ctx, req, &a, caller);
	if (r < 0)
		return r;
	switch (replay_cache_admit(ctx->replays, a.signature, signed_at + SIGV4_SKEW_SECONDS + 1,
				   now)) {
	case REPLAY_SEEN:
		return refuse(caller, 400, "InvalidSignatureException",
			      "Signature already used: this signed request was accepted before, and a"
			      " signature is good for one request; sign the request again");
	case REPLAY_FULL:
		return refuse(caller, 400, "ThrottlingException", "Rate exceeded");
	case REPLAY_FRESH:
		break;
	}
	snprintf(caller->id, sizeof(caller->id), "%s", a.key_id);
	caller->claimed[0] = '\0';
	return 0;
}
