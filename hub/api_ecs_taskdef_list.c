/* ECS ListTaskDefinitions, ListTaskDefinitionFamilies and DeregisterTaskDefinition: a revision
 * is ACTIVE until deregistered, then INACTIVE for good. */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "common/cleanup.h"
#include "hub/api.h"
#include "hub/taskdef_store.h"
#include "protocol/arn.h"
#include "protocol/json_value.h"

cJSON *taskdef_store_describe_revision(struct hub_store *s, const char *family, long long revision,
				       const char *body)
{
	double registered_at = 0;
	_cleanup_stmt_ sqlite3_stmt *st = hub_store_prepare(
		s, "SELECT registered_at, coalesce(status, 'ACTIVE'), deregistered_at FROM taskdefs"
		   " WHERE family = ? AND revision = ?", NULL);
	bool found = false;
	if (st) {
		sqlite3_bind_text(st, 1, family, -1, SQLITE_STATIC);
		sqlite3_bind_int64(st, 2, revision);
		found = sqlite3_step(st) == SQLITE_ROW;
		if (found)
			registered_at = sqlite3_column_double(st, 0);
	}
	cJSON *td = taskdef_store_describe(family, revision, body, registered_at);
	if (found) {
		cJSON_ReplaceItemInObjectCaseSensitive(td, "status",
						       cJSON_CreateString(col_text(st, 1)));
		if (sqlite3_column_type(st, 2) != SQLITE_NULL)
			cJSON_AddNumberToObject(td, "deregisteredAt", sqlite3_column_double(st, 2));
	}
	return td;
}

int taskdef_store_refuse_inactive(struct hub_store *s, const char *family, long long revision,
				  struct api_fault *f)
{
	struct error err = { 0 };
	_cleanup_stmt_ sqlite3_stmt *st = hub_store_prepare(
		s, "SELECT coalesce(status, 'ACTIVE') FROM taskdefs WHERE family = ? AND revision = ?",
		&err);
	if (!st)
		return api_store_fail(f, &err);
	sqlite3_bind_text(st, 1, family, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 2, revision);
	if (sqlite3_step(st) == SQLITE_ROW && strcmp(col_text(st, 0), "ACTIVE") != 0)
		return api_fail(f, "ClientException", "TaskDefinition is inactive");
	return 0;
}

static int status_member(const cJSON *req, const char *allowed, const char *def,
			 const char **ret, struct api_fault *f)
{
	if (api_opt_string(req, "status", ret, f) < 0)
		return -EINVAL;
	if (!*ret)
		*ret = def;
	for (const char *a = allowed; *a;) {
		size_t n = strcspn(a, " ");
		if (n == strlen(*ret) && strncmp(a, *ret, n) == 0)
			return 0;
		a += n + strspn(a + n, " ");
	}
	return api_fail(f, "InvalidParameterException", "status must be one of %s", allowed);
}

/* A family name or prefix: 1-255 characters, as ECS. */
static int family_member(const cJSON *req, const char **ret, struct api_fault *f)
{
	if (api_opt_string(req, "familyPrefix", ret, f) < 0)
		return -EINVAL;
	if (*ret && (!(*ret)[0] || strlen(*ret) > 255))
		return api_fail(f, "InvalidParameterException", "familyPrefix must be 1 to 255 characters");
	return 0;
}

int ecs_list_task_definitions(struct hub_store *s, const cJSON *req, cJSON **ret,
			      struct api_fault *f)
{
	const char *family, *status, *sort;
	if (family_member(req, &family, f) < 0 ||
	    status_member(req, "ACTIVE INACTIVE", "ACTIVE", &status, f) < 0 ||
	    api_opt_string(req, "sort", &sort, f) < 0 || api_check_max_results(req, f) < 0)
		return -EINVAL;
	if (sort && strcmp(sort, "ASC") && strcmp(sort, "DESC"))
		return api_fail(f, "InvalidParameterException", "sort must be ASC or DESC");
	bool desc = sort && strcmp(sort, "DESC") == 0;
	struct error err = { 0 };
	/* familyPrefix names a whole family here, as in ECS (ListTaskDefinitionFamilies takes a
	 * prefix). */
	_cleanup_stmt_ sqlite3_stmt *st = hub_store_prepare(
		s, desc ? "SELECT family, revision FROM taskdefs WHERE (?1 IS NULL OR family = ?1)"
			  " AND coalesce(status, 'ACTIVE') = ?2 ORDER BY family DESC, revision DESC"
			: "SELECT family, revision FROM taskdefs WHERE (?1 IS NULL OR family = ?1)"
			  " AND coalesce(status, 'ACTIVE') = ?2 ORDER BY family, revision",
		&err);
	if (!st)
		return api_store_fail(f, &err);
	sqlite3_bind_text(st, 1, family, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, status, -1, SQLITE_STATIC);
	_cleanup_(cjson_deletep) cJSON *o = cJSON_CreateObject();
	cJSON *arns = cJSON_AddArrayToObject(o, "taskDefinitionArns");
	while (sqlite3_step(st) == SQLITE_ROW) {
		_cleanup_free_ char *arn =
			arn_task_definition(col_text(st, 0), sqlite3_column_int64(st, 1));
		cJSON_AddItemToArray(arns, cJSON_CreateString(arn ? arn : ""));
	}
	if (api_page(req, o, "taskDefinitionArns", f) < 0)
		return -EINVAL;
	*ret = TAKE_PTR(o);
	return 0;
}

int ecs_list_task_definition_families(struct hub_store *s, const cJSON *req, cJSON **ret,
				      struct api_fault *f)
{
	const char *prefix, *status;
	if (family_member(req, &prefix, f) < 0 ||
	    status_member(req, "ACTIVE INACTIVE ALL", "ALL", &status, f) < 0 ||
	    api_check_max_results(req, f) < 0)
		return -EINVAL;
	struct error err = { 0 };
	/* A family is ACTIVE while one of its revisions is, INACTIVE when none is. */
	_cleanup_stmt_ sqlite3_stmt *st = hub_store_prepare(
		s, "SELECT family FROM taskdefs WHERE ?1 IS NULL OR substr(family, 1, length(?1)) = ?1"
		   " GROUP BY family HAVING ?2 = 'ALL' OR (?2 = 'ACTIVE') ="
		   " (max(coalesce(status, 'ACTIVE') = 'ACTIVE')) ORDER BY family", &err);
	if (!st)
		return api_store_fail(f, &err);
	sqlite3_bind_text(st, 1, prefix, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, status, -1, SQLITE_STATIC);
	_cleanup_(cjson_deletep) cJSON *o = cJSON_CreateObject();
	cJSON *families = cJSON_AddArrayToObject(o, "families");
	while (sqlite3_step(st) == SQLITE_ROW)
		cJSON_AddItemToArray(families, cJSON_CreateString(col_text(st, 0)));
	if (api_page(req, o, "families", f) < 0)
		return -EINVAL;
	*ret = TAKE_PTR(o);
	return 0;
}

int ecs_deregister_task_definition(struct hub_store *s, const cJSON *req, cJSON **ret,
				   struct api_fault *f)
{
	const char *ref;
	if (api_opt_string(req, "taskDefinition", &ref, f) < 0)
		return -EINVAL;
	const char *id = ref ? arn_resource_id(ref, "task-definition") : NULL;
	if (!id || !strchr(id, ':'))
		return api_fail(f, "ClientException",
				"taskDefinition must name a revision: family:revision or its ARN");
	char family[256];
	long long revision;
	_cleanup_free_ char *body = NULL;
	if (taskdef_store_lookup(s, ref, family, &revision, &body, f) < 0)
		return -EINVAL;
	struct error err = { 0 };
	/* Deregistering twice keeps the first time. */
	sqlite3_stmt *st = hub_store_prepare(
		s, "UPDATE taskdefs SET status = 'INACTIVE', deregistered_at = ?3"
		   " WHERE family = ?1 AND revision = ?2 AND coalesce(status, 'ACTIVE') = 'ACTIVE'",
		&err);
	if (!st)
		return api_store_fail(f, &err);
	sqlite3_bind_text(st, 1, family, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 2, revision);
	sqlite3_bind_double(st, 3, hub_now());
	if (hub_store_step_done(s, st, &err) < 0)
		return api_store_fail(f, &err);
	*ret = cJSON_CreateObject();
	cJSON_AddItemToObject(*ret, "taskDefinition",
			      taskdef_store_describe_revision(s, family, revision, body));
	return 0;
}
