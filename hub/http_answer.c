#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <cjson/cJSON.h>

#include "common/cleanup.h"
#include "common/log.h"
#include "hub/access.h"
#include "hub/api.h"
#include "hub/fault.h"
#include "common/exposition.h"
#include "hub/http_answer.h"
#include "hub/metrics_exposition.h"
#include "hub/operator_audit.h"
#include "hub/register_throttle.h"
#include "hub/registration.h"
#include "protocol/json_value.h"

void http_request_release(struct http_request *req)
{
	free(req->authorization);
	free(req->canonical_headers);
	req->authorization = req->canonical_headers = NULL;
}

void http_reply_release(struct http_reply *reply)
{
	free(reply->body);
	*reply = (struct http_reply){ 0 };
}

void http_refuse(bool is_register, struct http_reply *reply, int status, const char *type,
		 const char *fmt, ...)
{
	char message[512];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(message, sizeof(message), fmt, ap);
	va_end(ap);
	free(reply->body);
	reply->body = fault_json(is_register ? FAULT_REGISTRATION : FAULT_AWS_JSON, type, message);
	reply->status = status;
}

/* Registration, slowed down for an activation id or an address that guessed wrong too often. */
static void answer_registration(struct http_front *front, const struct http_request *req,
				struct http_reply *reply)
{
	char id[REGISTER_ID_MAX + 1] = "";
	registration_activation_id(req->body, req->size, id);
	double now = http_front_monotonic();
	double wait = register_throttle_wait(front->register_throttle, id, req->peer, now);
	if (wait > 0) {
		reply->retry_after = (int)wait + 1;
		http_refuse(true, reply, 429, "TooManyFailedAttempts",
			    "too many wrong activation codes for this activation or from this"
			    " address; try again in %d s", reply->retry_after);
		return;
	}
	bool wrong = false;
	reply->status = registration_handle(front->store, req->body, req->size,
					    req->host[0] ? req->host : NULL, front->tls, &wrong,
					    &reply->body);
	double blocked = wrong ? register_throttle_failed(front->register_throttle, id, req->peer,
							   now)
			       : 0;
	/* The id is the client's text: said only when it looks like one the hub makes. */
	bool id_shown = id[0] && strspn(id, "0123456789abcdef-") == strlen(id);
	if (blocked > 0)
		log_warning("registration from %s (activation %s) refused for %.0f s after %d wrong"
			    " activation codes", req->peer, id_shown ? id : "not shown", blocked,
			    REGISTER_FAILURES_ALLOWED);
}

/* GET /metrics: the fleet's figures, to loopback clients only. An unauthenticated view of
 * every node, task and address on a public listener would hand the fleet's layout to anyone;
 * Prometheus does not sign requests with SigV4, so it scrapes from the hub's host (or through
 * a tunnel ending there). */
static void answer_metrics(struct http_front *front, const struct http_request *req,
			   struct http_reply *reply)
{
	reply->content_type = EXPOSITION_CONTENT_TYPE;
	if (!hub_peer_is_loopback(req->peer)) {
		reply->status = 403;
		reply->body = strdup("GET /metrics is served to loopback clients only\n");
		return;
	}
	struct error err = { 0 };
	if (hub_metrics_text(front, hub_now(), &reply->body, &err) < 0) {
		reply->status = 500;
		if (asprintf(&reply->body, "metrics not read: %s\n", err.message) < 0)
			reply->body = NULL;
		return;
	}
	reply->status = 200;
}

/* The operator API: signed (or --dev from loopback), and audited when it changes anything. */
static void answer_operator(struct http_front *front, const struct http_request *req,
			    struct http_reply *reply)
{
	struct operator_credentials cred = {
		.peer = req->peer,
		.tls = req->tls,
		.target = req->target,
		.authorization = req->authorization,
		.amz_date = req->has_amz_date ? req->amz_date : NULL,
		.security_token = req->security_token,
		.canonical_headers = req->canonical_headers,
		.body = req->body,
		.size = req->size,
	};
	struct operator_caller caller;
	if (operator_auth_check(&front->auth, &cred, time(NULL), &caller) < 0)
		http_refuse(false, reply, caller.status, caller.type, "%s", caller.message);
	else
		reply->status = api_dispatch(front->store, req->target[0] ? req->target : NULL,
					     req->body, req->size, &reply->body);
	api_counters_add(&front->api_counters, req->target, api_knows(req->target), reply->status);
	if (!operator_call_mutates(req->target))
		return;
	_cleanup_free_ char *line = operator_audit_line(&caller, req->peer, req->target, req->body,
							req->size, reply->status, reply->body);
	if (line)
		log_info("audit %s", line);
}

void http_answer(struct http_front *front, const struct http_request *req,
		 struct http_reply *reply)
{
	enum hub_access access = hub_access_check(req->is_register, req->peer, front->dev,
						  front->tls);
	if (access == HUB_ACCESS_REGISTER_NEEDS_TLS) {
		/* Activation codes must not cross a network in clear text. */
		http_refuse(true, reply, 403, "InvalidRequest",
			    "registration over plain HTTP is only accepted from loopback with --dev");
	} else if (req->is_metrics) {
		answer_metrics(front, req, reply);
	} else if (req->is_register) {
		answer_registration(front, req, reply);
	} else {
		answer_operator(front, req, reply);
	}
}
