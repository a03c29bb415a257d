/* Who may call the operator API. A request signed with SigV4 by an access key the hub issued
 * (hub/access_keys.h) is accepted from any address over HTTPS and from loopback over plain
 * HTTP: a signature proves who sent the request, not that nobody else read it, so a signed
 * request's body crossing a network in clear text is refused. An unsigned request is
 * accepted only from loopback and only when the hub runs with --dev. Refusals carry the
 * __type and message AWS's JSON services give for the same fault. */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <time.h>

#include "hub/access_keys.h"
#include "hub/replay_cache.h"
#include "hub/sigv4.h"

/* What the HTTP layer read from an operator request, as far as signing goes. */
struct operator_credentials {
	const char *peer;
	bool tls;
	const char *target;            /* X-Amz-Target, "" when none */
	const char *authorization;     /* NULL when absent */
	const char *amz_date;          /* X-Amz-Date, NULL when absent */
	bool security_token;           /* an X-Amz-Security-Token was sent */
	const char *canonical_headers; /* of the headers Authorization signs, NULL when unread */
	const char *body;
	size_t size;
};

struct operator_auth_context {
	bool dev;
	struct access_keys *keys;       /* NULL: no key can be checked */
	struct replay_cache *replays;
};

struct operator_caller {
	char id[SIGV4_KEY_ID_MAX + 1]; /* the access key id, or "dev" */
	char claimed[SIGV4_KEY_ID_MAX + 1]; /* when refused: the key id the request named, if any */
	/* A refusal: HTTP status, AWS error type and message. */
	int status;
	const char *type;
	char message[512];
};

/* 0 with caller->id filled when the request may go on; -EPERM with the refusal filled. */
int operator_auth_check(const struct operator_auth_context *ctx,
			const struct operator_credentials *req, time_t now,
			struct operator_caller *caller);
