/* SSM CreateActivation: the one-time id and code a node trades for its identity. Only a hash of
 * the code is stored; the code itself is shown once, in the answer. */
#include <stdio.h>
#include <string.h>

#include "common/sha256.h"
#include "hub/api.h"
#include "protocol/arn.h"

#define ACTIVATION_DEFAULT_SECONDS (24 * 3600)
#define ACTIVATION_MAX_SECONDS (30 * 24 * 3600) /* as SSM */
#define ACTIVATION_CODE_BYTES 16                /* 32 hex characters */

static bool instance_name_is_valid(const char *name)
{
	size_t n = 0;
	for (const unsigned char *p = (const unsigned char *)name; *p; p++, n++)
		if (*p < 0x20 || *p == 0x7f)
			return false;
	return n <= 256;
}

int ssm_create_activation(struct hub_store *s, const cJSON *req, cJSON **ret, struct api_fault *f)
{
	const char *role, *description, *name;
	long long limit;
	if (api_opt_string(req, "IamRole", &role, f) < 0 ||
	    api_opt_string(req, "Description", &description, f) < 0 ||
	    api_opt_string(req, "DefaultInstanceName", &name, f) < 0 ||
	    api_opt_int(req, "RegistrationLimit", 1, 1000, 1, &limit, f) < 0)
		return f->type = "InvalidParameters", -1;
	if (!role || !role[0])
		return api_fail(f, "InvalidParameters", "IamRole is required");
	if (name && !instance_name_is_valid(name))
		return api_fail(f, "InvalidParameters",
				"DefaultInstanceName must be at most 256 characters without control"
				" characters");

	double now = hub_now(), expires = now + ACTIVATION_DEFAULT_SECONDS;
	const cJSON *exp = cJSON_GetObjectItemCaseSensitive(req, "ExpirationDate");
	if (exp && !cJSON_IsNull(exp)) {
		if (!cJSON_IsNumber(exp))
			return api_fail(f, "InvalidParameters", "ExpirationDate must be a timestamp");
		if (exp->valuedouble <= now)
			return api_fail(f, "InvalidParameters", "ExpirationDate must be in the future");
		if (exp->valuedouble > now + ACTIVATION_MAX_SECONDS)
			return api_fail(f, "InvalidParameters",
					"ExpirationDate must be at most 30 days from now");
		expires = exp->valuedouble;
	}

	char id[37], code[2 * ACTIVATION_CODE_BYTES + 1], hash[65];
	if (random_uuid(id) < 0 || random_hex(code, ACTIVATION_CODE_BYTES) < 0 ||
	    sha256_hex(code, strlen(code), hash) < 0)
		return api_fail(f, "InternalServerError", "no randomness available");

	struct error err = { 0 };
	sqlite3_stmt *st = hub_store_prepare(
		s, "INSERT INTO activations(id, code_hash, iam_role, description, registration_limit,"
		   " expires_at, created_at, default_instance_name) VALUES(?, ?, ?, ?, ?, ?, ?, ?)",
		&err);
	if (!st)
		return api_store_fail(f, &err);
	sqlite3_bind_text(st, 1, id, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, hash, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 3, role, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 4, description, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 5, limit);
	sqlite3_bind_double(st, 6, expires);
	sqlite3_bind_double(st, 7, now);
	sqlite3_bind_text(st, 8, name, -1, SQLITE_STATIC);
	if (hub_store_step_done(s, st, &err) < 0)
		return api_store_fail(f, &err);

	cJSON *o = cJSON_CreateObject();
	cJSON_AddStringToObject(o, "ActivationId", id);
	cJSON_AddStringToObject(o, "ActivationCode", code);
	*ret = o;
	return 0;
}
