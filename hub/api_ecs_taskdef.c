/* ECS RegisterTaskDefinition and DescribeTaskDefinition. Validation is the agent's own task
 * definition model (protocol/taskdef.h), so what the hub accepts the agent can run. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/cleanup.h"
#include "hub/api.h"
#include "hub/placement/placement_spec.h"
#include "hub/api_tags.h"
#include "hub/taskdef_store.h"
#include "protocol/arn.h"
#include "protocol/json_value.h"
#include "protocol/taskdef.h"
#include "protocol/taskdef_register.h"

/* Request keys of the API that are not part of the definition itself: tags are kept in the tag
 * store for the revision's ARN. */
static const char *const api_only_keys[] = { "tags" };

cJSON *taskdef_store_describe(const char *family, long long revision, const char *body,
			      double registered_at)
{
	cJSON *td = cJSON_Parse(body);
	if (!td)
		td = cJSON_CreateObject();
	_cleanup_free_ char *arn = arn_task_definition(family, revision);
	cJSON_AddStringToObject(td, "taskDefinitionArn", arn ? arn : "");
	cJSON_AddNumberToObject(td, "revision", (double)revision);
	cJSON_AddStringToObject(td, "status", "ACTIVE");
	cJSON *compat = cJSON_AddArrayToObject(td, "compatibilities");
	cJSON_AddItemToArray(compat, cJSON_CreateString("EXTERNAL"));
	cJSON_AddItemToArray(compat, cJSON_CreateString("EC2"));
	if (!cJSON_HasObjectItem(td, "requiresCompatibilities"))
		cJSON_AddArrayToObject(td, "requiresCompatibilities");
	cJSON_AddNumberToObject(td, "registeredAt", registered_at);
	return td;
}

/* A memberOf expression that cannot be parsed is refused now, not at every RunTask. */
static int check_placement_expressions(const struct taskdef *td, struct api_fault *f)
{
	_cleanup_(placement_spec_release) struct placement_spec spec = { 0 };
	struct error err = { 0 };
	for (size_t i = 0; i < td->n_placement_expressions; i++) {
		char path[64];
		snprintf(path, sizeof(path), "placementConstraints[%zu].expression", i);
		if (placement_spec_add_member_of(&spec, td->placement_expressions[i], path, &err) < 0)
			return api_fail(f, "ClientException", "%s", err.message);
	}
	return 0;
}

int ecs_register_task_definition(struct hub_store *s, const cJSON *req, cJSON **ret,
				 struct api_fault *f)
{
	const cJSON *tags;
	if (api_tags_member(req, "tags", &tags, f) < 0)
		return -EINVAL;
	_cleanup_(cjson_deletep) cJSON *def = cJSON_Duplicate(req, 1);
	if (!def)
		return api_fail(f, "ServerException", "out of memory");
	for (size_t i = 0; i < ELEMENTSOF(api_only_keys); i++)
		cJSON_DeleteItemFromObjectCaseSensitive(def, api_only_keys[i]);

	struct error err = { 0 };
	_cleanup_(taskdef_freep) struct taskdef *td = NULL;
	if (taskdef_from_register_json(def, &td, &err) < 0)
		return api_fail(f, "ClientException", "%s", err.message);
	if (check_placement_expressions(td, f) < 0)
		return -EINVAL;
	_cleanup_free_ char *body = cJSON_PrintUnformatted(def);
	if (!body)
		return api_fail(f, "ServerException", "out of memory");

	double now = hub_now();
	if (hub_store_begin(s, &err) < 0)
		return api_store_fail(f, &err);
	long long revision = 1;
	{
		_cleanup_stmt_ sqlite3_stmt *st = hub_store_prepare(
			s, "SELECT coalesce(max(revision), 0) + 1 FROM taskdefs WHERE family = ?", &err);
		if (!st)
			return api_store_fail(f, &err);
		sqlite3_bind_text(st, 1, td->family, -1, SQLITE_STATIC);
		if (sqlite3_step(st) == SQLITE_ROW)
			revision = sqlite3_column_int64(st, 0);
	}
	sqlite3_stmt *st = hub_store_prepare(
		s, "INSERT INTO taskdefs(family, revision, body, registered_at) VALUES(?, ?, ?, ?)",
		&err);
	if (!st)
		return api_store_fail(f, &err);
	sqlite3_bind_text(st, 1, td->family, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 2, revision);
	sqlite3_bind_text(st, 3, body, -1, SQLITE_STATIC);
	sqlite3_bind_double(st, 4, now);
	if (hub_store_step_done(s, st, &err) < 0)
		return api_store_fail(f, &err);
	_cleanup_free_ char *arn = arn_task_definition(td->family, revision);
	if (!arn)
		return api_fail(f, "ServerException", "out of memory");
	if (tags && api_tags_put(s, arn, tags, f) < 0)
		return -EINVAL;
	if (hub_store_commit(s, &err) < 0)
		return api_store_fail(f, &err);

	*ret = cJSON_CreateObject();
	cJSON_AddItemToObject(*ret, "taskDefinition",
			      taskdef_store_describe(td->family, revision, body, now));
	if (tags)
		api_tags_add(s, *ret, arn);
	return 0;
}

int taskdef_store_lookup(struct hub_store *s, const char *ref, char family[256],
			 long long *ret_revision, char **ret_body, struct api_fault *f)
{
	const char *id = arn_resource_id(ref, "task-definition");
	if (!id)
		return api_fail(f, "ClientException", "Unable to describe task definition.");
	char fam[256];
	long long revision = 0;
	const char *colon = strchr(id, ':');
	size_t flen = colon ? (size_t)(colon - id) : strlen(id);
	if (flen == 0 || flen >= sizeof(fam))
		return api_fail(f, "ClientException", "Unable to describe task definition.");
	memcpy(fam, id, flen);
	fam[flen] = '\0';
	if (colon) {
		char *end = NULL;
		revision = strtoll(colon + 1, &end, 10);
		if (!colon[1] || *end || revision < 1)
			return api_fail(f, "ClientException", "Unable to describe task definition.");
	}
	struct error err = { 0 };
	_cleanup_stmt_ sqlite3_stmt *st = hub_store_prepare(
		s, revision ? "SELECT revision, body, registered_at FROM taskdefs"
			      " WHERE family = ?1 AND revision = ?2"
			    /* A family alone names its latest ACTIVE revision, as ECS. */
			    : "SELECT revision, body, registered_at FROM taskdefs WHERE family = ?1"
			      " AND coalesce(status, 'ACTIVE') = 'ACTIVE'"
			      " ORDER BY revision DESC LIMIT 1", &err);
	if (!st)
		return api_store_fail(f, &err);
	sqlite3_bind_text(st, 1, fam, -1, SQLITE_STATIC);
	if (revision)
		sqlite3_bind_int64(st, 2, revision);
	if (sqlite3_step(st) != SQLITE_ROW)
		return api_fail(f, "ClientException", "Unable to describe task definition.");
	*ret_body = strdup(col_text(st, 1));
	if (!*ret_body)
		return api_fail(f, "ServerException", "out of memory");
	*ret_revision = sqlite3_column_int64(st, 0);
	snprintf(family, 256, "%s", fam);
	return 0;
}

int ecs_describe_task_definition(struct hub_store *s, const cJSON *req, cJSON **ret,
				 struct api_fault *f)
{
	const char *ref;
	bool want_tags;
	if (api_opt_string(req, "taskDefinition", &ref, f) < 0 ||
	    api_include_tags(req, "", &want_tags, f) < 0)
		return -EINVAL;
	if (!ref)
		return api_fail(f, "InvalidParameterException", "taskDefinition is required");
	char family[256];
	long long revision;
	_cleanup_free_ char *body = NULL;
	if (taskdef_store_lookup(s, ref, family, &revision, &body, f) < 0)
		return -EINVAL;
	*ret = cJSON_CreateObject();
	cJSON_AddItemToObject(*ret, "taskDefinition",
			      taskdef_store_describe_revision(s, family, revision, body));
	if (want_tags) {
		_cleanup_free_ char *arn = arn_task_definition(family, revision);
		api_tags_add(s, *ret, arn ? arn : "");
	}
	return 0;
}
