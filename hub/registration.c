#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "common/base64.h"
#include "common/cleanup.h"
#include "common/sha256.h"
#include "hub/fault.h"
#include "hub/placement/node_attributes.h"
#include "hub/registration.h"
#include "protocol/arn.h"
#include "protocol/attribute.h"
#include "protocol/auth.h"
#include "protocol/frame.h"
#include "protocol/json_value.h"
#include "protocol/taskdef_container.h"

#define MAX_ATTRIBUTES 64
#define MAX_ATTRIBUTE_LEN 1024
#define ED25519_PUBLIC_KEY_BYTES 32

struct register_request {
	const char *activation_id, *activation_code, *cluster, *public_key, *hostname,
		*agent_version;
	long long cpu, memory;
	const cJSON *attributes;
};

/* Registration's refusals, in the shape the agent reads. */
static char *answer(const char *code, const char *message)
{
	return fault_json(FAULT_REGISTRATION, code, message);
}

static const char *string_field(const cJSON *req, const char *name, bool required,
				size_t max_len, bool *bad)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(req, name);
	if (!v && !required)
		return NULL;
	if (!cJSON_IsString(v) || !v->valuestring[0] || strlen(v->valuestring) > max_len) {
		*bad = true;
		return NULL;
	}
	return v->valuestring;
}

static bool resource(const cJSON *res, const char *name, long long *ret)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(res, name);
	if (!json_is_unsigned_integer(v) || v->valuedouble < 1 || v->valuedouble > (double)(1LL << 40))
		return false;
	*ret = (long long)v->valuedouble;
	return true;
}

static bool attributes_valid(const cJSON *attrs)
{
	if (!attrs)
		return true;
	if (!cJSON_IsObject(attrs) || cJSON_GetArraySize(attrs) > MAX_ATTRIBUTES)
		return false;
	const cJSON *a;
	cJSON_ArrayForEach(a, attrs)
		if (!cJSON_IsString(a) || strlen(a->string) > MAX_ATTRIBUTE_LEN ||
		    strlen(a->valuestring) > MAX_ATTRIBUTE_LEN)
			return false;
	return true;
}

/* The operator's attributes given at registration (`tether register --attribute`): every name
 * the agent does not report itself, checked as PutAttributes checks them. */
static const char *custom_attributes_invalid(const cJSON *attrs)
{
	int custom = 0;
	const cJSON *a;
	cJSON_ArrayForEach(a, attrs)
	{
		if (attribute_name_is_builtin(a->string))
			continue;
		if (!attribute_name_is_valid(a->string) || !attribute_value_is_valid(a->valuestring))
			return "a custom attribute's name must be 1 to 128 letters, digits, '-', '_',"
			       " '.', '/' or '@', its value at most 128 letters, digits, spaces, '-',"
			       " '_', '.', '/', '@', '\\' or ':'";
		if (++custom > ATTRIBUTE_CUSTOM_MAX)
			return "at most 10 custom attributes";
	}
	return NULL;
}

static bool public_key_valid(const char *b64)
{
	_cleanup_free_ unsigned char *raw = NULL;
	size_t n = 0;
	return base64_decode(b64, &raw, &n) == 0 && n == ED25519_PUBLIC_KEY_BYTES;
}

/* Fills r; a message for the client when the request is malformed. */
static const char *parse_request(const cJSON *req, struct register_request *r)
{
	bool bad = false;
	r->activation_id = string_field(req, "activation_id", true, REGISTER_ID_MAX, &bad);
	r->activation_code = string_field(req, "activation_code", true, 256, &bad);
	r->public_key = string_field(req, "public_key", true, 256, &bad);
	if (bad)
		return "activation_id, activation_code and public_key are required strings";
	r->cluster = string_field(req, "cluster", false, 255, &bad);
	r->hostname = string_field(req, "hostname", false, 255, &bad);
	r->agent_version = string_field(req, "agent_version", false, 64, &bad);
	const char *protocol = string_field(req, "protocol", false, 16, &bad);
	if (bad)
		return "cluster, hostname, agent_version and protocol must be short strings";
	if (!r->cluster)
		r->cluster = "default";
	if (!taskdef_name_is_valid(r->cluster))
		return "cluster is not a valid cluster name";
	unsigned major, minor;
	if (protocol && protocol_version_parse(protocol, &major, &minor) < 0)
		return "protocol is not a MAJOR.MINOR version";
	if (protocol && major != PROTOCOL_MAJOR)
		return "unsupported protocol major version (hub speaks 1)";
	if (!public_key_valid(r->public_key))
		return "public_key is not the base64 of a 32-byte Ed25519 public key";
	const cJSON *res = cJSON_GetObjectItemCaseSensitive(req, "resources");
	if (!resource(res, "cpu", &r->cpu) || !resource(res, "memory", &r->memory))
		return "resources.cpu and resources.memory must be positive integers";
	r->attributes = cJSON_GetObjectItemCaseSensitive(req, "attributes");
	if (!attributes_valid(r->attributes))
		return "attributes must be an object of at most 64 short strings";
	return custom_attributes_invalid(r->attributes);
}

/* 0 when the activation can take one more registration, else the HTTP status with *code and
 * *message filled. */
static int check_activation(struct hub_store *s, const struct register_request *r,
			    const char **code, const char **message)
{
	_cleanup_stmt_ sqlite3_stmt *st = hub_store_prepare(
		s, "SELECT code_hash, registration_limit, registrations, expires_at FROM activations"
		   " WHERE id = ?", NULL);
	if (!st)
		return *code = "InternalError", *message = "store failure", 500;
	sqlite3_bind_text(st, 1, r->activation_id, -1, SQLITE_STATIC);
	char hash[65];
	bool found = sqlite3_step(st) == SQLITE_ROW;
	if (sha256_hex(r->activation_code, strlen(r->activation_code), hash) < 0 || !found ||
	    !auth_secret_equal(hash, col_text(st, 0)))
		return *code = "InvalidActivation",
		       *message = "the activation id or code is not valid", 403;
	if (sqlite3_column_double(st, 3) <= hub_now())
		return *code = "ActivationExpired", *message = "the activation has expired", 403;
	if (sqlite3_column_int64(st, 2) >= sqlite3_column_int64(st, 1))
		return *code = "RegistrationLimitExceeded",
		       *message = "the activation's registration limit is used up", 403;
	_cleanup_stmt_ sqlite3_stmt *cl =
		hub_store_prepare(s, "SELECT 1 FROM clusters WHERE name = ?"
				  " AND coalesce(status, 'ACTIVE') = 'ACTIVE'", NULL);
	if (!cl)
		return *code = "InternalError", *message = "store failure", 500;
	sqlite3_bind_text(cl, 1, r->cluster, -1, SQLITE_STATIC);
	if (sqlite3_step(cl) != SQLITE_ROW)
		return *code = "ClusterNotFound", *message = "the cluster does not exist", 404;
	return 0;
}

/* The built-in attributes go to the node's row, the custom ones to node_attributes
 * (hub/placement/node_attributes.h says why). */
static int insert_custom_attributes(struct hub_store *s, const struct register_request *r,
				    const char *node_id, struct error *err)
{
	const cJSON *a;
	cJSON_ArrayForEach(a, r->attributes)
		if (!attribute_name_is_builtin(a->string) &&
		    node_attributes_put(s, node_id, a->string,
					a->valuestring[0] ? a->valuestring : NULL, err) < 0)
			return -EIO;
	return 0;
}

static char *builtin_attributes_json(const struct register_request *r)
{
	_cleanup_(cjson_deletep) cJSON *builtin = cJSON_CreateObject();
	const cJSON *a;
	cJSON_ArrayForEach(a, r->attributes)
		if (attribute_name_is_builtin(a->string))
			cJSON_AddStringToObject(builtin, a->string, a->valuestring);
	return builtin ? cJSON_PrintUnformatted(builtin) : NULL;
}

static int insert_node(struct hub_store *s, const struct register_request *r,
		       const char *node_id, const char *instance_id, struct error *err)
{
	_cleanup_free_ char *attrs = builtin_attributes_json(r);
	if (!attrs)
		return error_set(err, ENOMEM, "out of memory");
	sqlite3_stmt *st = hub_store_prepare(
		s, "INSERT INTO nodes(node_id, instance_id, cluster, public_key, hostname,"
		   " agent_version, cpu, memory, attributes, registered_at, activation_id, iam_role)"
		   " VALUES(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?11,"
		   " (SELECT iam_role FROM activations WHERE id = ?11))", err);
	if (!st)
		return -EIO;
	sqlite3_bind_text(st, 1, node_id, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, instance_id, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 3, r->cluster, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 4, r->public_key, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 5, r->hostname, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 6, r->agent_version ? r->agent_version : "", -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 7, r->cpu);
	sqlite3_bind_int64(st, 8, r->memory);
	sqlite3_bind_text(st, 9, attrs, -1, SQLITE_STATIC);
	sqlite3_bind_double(st, 10, hub_now());
	sqlite3_bind_text(st, 11, r->activation_id, -1, SQLITE_STATIC);
	if (hub_store_step_done(s, st, err) < 0 || insert_custom_attributes(s, r, node_id, err) < 0)
		return -EIO;
	return hub_store_exec_text(s, "UPDATE activations SET registrations = registrations + 1"
				      " WHERE id = ?", err, 1, r->activation_id);
}

static bool host_is_safe(const char *host)
{
	return host && host[0] && strlen(host) < 256 &&
	       strspn(host, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789.-:[]") ==
		       strlen(host);
}

static char *success(const struct register_request *r, const char *node_id,
		     const char *instance_id, const char *host, bool tls)
{
	_cleanup_free_ char *arn = arn_container_instance(r->cluster, instance_id);
	char url[320];
	snprintf(url, sizeof(url), "%s://%s/v1/connect", tls ? "wss" : "ws",
		 host_is_safe(host) ? host : "127.0.0.1:8080");
	_cleanup_(cjson_deletep) cJSON *o = cJSON_CreateObject();
	cJSON_AddStringToObject(o, "node_id", node_id);
	cJSON_AddStringToObject(o, "container_instance_arn", arn ? arn : "");
	cJSON_AddStringToObject(o, "cluster", r->cluster);
	cJSON_AddStringToObject(o, "connect_url", url);
	return cJSON_PrintUnformatted(o);
}

int registration_activation_id(const char *body, size_t size, char ret_id[REGISTER_ID_MAX + 1])
{
	if (size > REGISTER_BODY_MAX || json_text_has_nul(body, size))
		return -EINVAL;
	_cleanup_(cjson_deletep) cJSON *req = cJSON_ParseWithLength(body, size);
	const cJSON *id = cJSON_GetObjectItemCaseSensitive(req, "activation_id");
	if (!cJSON_IsString(id) || !id->valuestring[0] || strlen(id->valuestring) > REGISTER_ID_MAX)
		return -EINVAL;
	snprintf(ret_id, REGISTER_ID_MAX + 1, "%s", id->valuestring);
	return 0;
}

int registration_handle(struct hub_store *s, const char *body, size_t size, const char *host,
			bool tls, bool *ret_wrong_activation, char **ret_body)
{
	if (ret_wrong_activation)
		*ret_wrong_activation = false;
	if (size > REGISTER_BODY_MAX)
		return *ret_body = answer("InvalidRequest", "body larger than 64 KiB"), 413;
	if (json_text_has_nul(body, size))
		return *ret_body = answer("InvalidRequest", "body holds a NUL character"), 400;
	_cleanup_(cjson_deletep) cJSON *req = cJSON_ParseWithLength(body, size);
	if (!cJSON_IsObject(req))
		return *ret_body = answer("InvalidRequest", "body is not a JSON object"), 400;
	struct register_request r = { 0 };
	const char *bad = parse_request(req, &r);
	if (bad)
		return *ret_body = answer("InvalidRequest", bad), 400;

	struct error err = { 0 };
	if (hub_store_begin(s, &err) < 0)
		return *ret_body = answer("InternalError", "store failure"), 500;
	const char *code, *message;
	int status = check_activation(s, &r, &code, &message);
	if (status) {
		hub_store_rollback(s);
		if (ret_wrong_activation)
			*ret_wrong_activation = !strcmp(code, "InvalidActivation");
		return *ret_body = answer(code, message), status;
	}
	char node_hex[19], instance_id[HUB_ID_HEX + 1], node_id[24];
	if (random_hex(node_hex, 9) < 0 || random_hex(instance_id, HUB_ID_HEX / 2) < 0) {
		hub_store_rollback(s);
		return *ret_body = answer("InternalError", "no randomness available"), 500;
	}
	snprintf(node_id, sizeof(node_id), "mi-%.17s", node_hex);
	if (insert_node(s, &r, node_id, instance_id, &err) < 0 || hub_store_commit(s, &err) < 0) {
		hub_store_rollback(s);
		return *ret_body = answer("InternalError", "store failure"), 500;
	}
	*ret_body = success(&r, node_id, instance_id, host, tls);
	return 200;
}
