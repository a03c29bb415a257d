/* What a registry asks for and what the node may answer with: the WWW-Authenticate challenge
 * of a 401 (RFC 7235; Basic, or Bearer as the Docker token protocol uses it), the token
 * server's answer, and credentials from a docker-style config.json. Pure functions without
 * I/O, so they can be fuzzed. */
#pragma once

#include <stddef.h>
#include <stdint.h>

#include "common/error.h"

#define REGISTRY_HEADER_MAX 4096

enum auth_scheme {
	AUTH_BASIC,
	AUTH_BEARER,
};

struct auth_challenge {
	enum auth_scheme scheme;
	char *realm;   /* Bearer: the token server's URL */
	char *service; /* NULL when not given */
	char *scope;   /* NULL when not given */
};

/* Parse the value of a WWW-Authenticate header. -EPROTONOSUPPORT naming any other scheme;
 * -EINVAL for a malformed one or a Bearer challenge without an https or http realm. */
int auth_challenge_parse(const char *value, struct auth_challenge *ret, struct error *err);
void auth_challenge_done(struct auth_challenge *c);

struct auth_token {
	char *token;
	int64_t expires_in; /* seconds; 60 when the server says nothing, as the protocol says */
};

/* The token server's JSON answer ("token" or "access_token", "expires_in"). */
int auth_token_parse(const char *json, size_t size, struct auth_token *ret, struct error *err);
void auth_token_done(struct auth_token *t);

struct registry_credentials {
	char *username;
	char *password;
};

/* The credentials for REGISTRY ("127.0.0.1:5000", "docker.io") in a docker config.json:
 * "auths" keyed by host[:port] (with or without https://, Docker Hub also as
 * https://index.docker.io/v1/), each with "auth" (base64 of user:password) or "username"
 * and "password". -ENOENT when the file has none for it (err then names a "credsStore" or
 * "credHelpers" the file has, which tether does not read: it runs no helper program); -EINVAL
 * naming what is malformed. */
int registry_credentials_find(const char *json, size_t size, const char *registry,
			      struct registry_credentials *ret, struct error *err);
void registry_credentials_done(struct registry_credentials *c);
