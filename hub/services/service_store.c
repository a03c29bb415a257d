#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/cleanup.h"
#include "hub/services/service_store.h"
#include "protocol/arn.h"

#define SERVICE_COLUMNS                                                                          \
	"cluster, name, status, strategy, desired, max_percent, min_percent, breaker_enable,"   \
	" breaker_rollback, created_at, client_token, steady, place_reason, place_event_at"

static void copy_text(char *dst, size_t size, sqlite3_stmt *st, int i)
{
	snprintf(dst, size, "%s", col_text(st, i));
}

static void service_of_row(sqlite3_stmt *st, struct service *svc)
{
	*svc = (struct service){ 0 };
	copy_text(svc->cluster, sizeof(svc->cluster), st, 0);
	copy_text(svc->name, sizeof(svc->name), st, 1);
	copy_text(svc->status, sizeof(svc->status), st, 2);
	copy_text(svc->strategy, sizeof(svc->strategy), st, 3);
	svc->desired = sqlite3_column_int64(st, 4);
	svc->max_percent = sqlite3_column_int64(st, 5);
	svc->min_percent = sqlite3_column_int64(st, 6);
	svc->breaker_enable = sqlite3_column_int(st, 7);
	svc->breaker_rollback = sqlite3_column_int(st, 8);
	svc->created_at = sqlite3_column_double(st, 9);
	copy_text(svc->client_token, sizeof(svc->client_token), st, 10);
	svc->steady = sqlite3_column_int(st, 11);
	copy_text(svc->place_reason, sizeof(svc->place_reason), st, 12);
	svc->place_event_at = sqlite3_column_double(st, 13);
}

int service_store_get(struct hub_store *s, const char *cluster, const char *name,
		      struct service *ret, struct error *err)
{
	_cleanup_stmt_ sqlite3_stmt *st = hub_store_prepare(
		s, "SELECT " SERVICE_COLUMNS " FROM services WHERE cluster = ? AND name = ?", err);
	if (!st)
		return -EIO;
	sqlite3_bind_text(st, 1, cluster, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, name, -1, SQLITE_STATIC);
	if (sqlite3_step(st) != SQLITE_ROW)
		return 1;
	service_of_row(st, ret);
	return 0;
}

int service_store_put(struct hub_store *s, const struct service *svc, struct error *err)
{
	sqlite3_stmt *st = hub_store_prepare(
		s, "INSERT OR REPLACE INTO services(" SERVICE_COLUMNS ") VALUES(?1, ?2, ?3, ?4, ?5,"
		   " ?6, ?7, ?8, ?9, ?10, nullif(?11, ''), ?12, nullif(?13, ''), ?14)", err);
	if (!st)
		return -EIO;
	sqlite3_bind_text(st, 1, svc->cluster, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, svc->name, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 3, svc->status, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 4, svc->strategy, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 5, svc->desired);
	sqlite3_bind_int64(st, 6, svc->max_percent);
	sqlite3_bind_int64(st, 7, svc->min_percent);
	sqlite3_bind_int(st, 8, svc->breaker_enable);
	sqlite3_bind_int(st, 9, svc->breaker_rollback);
	sqlite3_bind_double(st, 10, svc->created_at);
	sqlite3_bind_text(st, 11, svc->client_token, -1, SQLITE_STATIC);
	sqlite3_bind_int(st, 12, svc->steady);
	sqlite3_bind_text(st, 13, svc->place_reason, -1, SQLITE_STATIC);
	sqlite3_bind_double(st, 14, svc->place_event_at);
	return hub_store_step_done(s, st, err);
}

int service_placement_put(struct hub_store *s, const char *cluster, const char *service,
			  const char *constraints, const char *strategies, struct error *err)
{
	if (!constraints && !strategies)
		return 0;
	sqlite3_stmt *st = hub_store_prepare(
		s, "INSERT OR REPLACE INTO service_placement(cluster, service, constraints, strategies)"
		   " VALUES(?, ?, ?, ?)", err);
	if (!st)
		return -EIO;
	sqlite3_bind_text(st, 1, cluster, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, service, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 3, constraints, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 4, strategies, -1, SQLITE_STATIC);
	return hub_store_step_done(s, st, err);
}

static char *column_copy(sqlite3_stmt *st, int col)
{
	return sqlite3_column_type(st, col) == SQLITE_NULL ? NULL : strdup(col_text(st, col));
}

int service_placement_get(struct hub_store *s, const char *cluster, const char *service,
			  char **ret_constraints, char **ret_strategies, struct error *err)
{
	*ret_constraints = *ret_strategies = NULL;
	_cleanup_stmt_ sqlite3_stmt *st = hub_store_prepare(
		s, "SELECT constraints, strategies FROM service_placement"
		   " WHERE cluster = ? AND service = ?", err);
	if (!st)
		return -EIO;
	sqlite3_bind_text(st, 1, cluster, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, service, -1, SQLITE_STATIC);
	if (sqlite3_step(st) != SQLITE_ROW)
		return 0;
	*ret_constraints = column_copy(st, 0);
	*ret_strategies = column_copy(st, 1);
	return 0;
}

int service_store_forget(struct hub_store *s, const char *cluster, const char *name,
			 struct error *err)
{
	static const char *const steps[] = {
		"DELETE FROM service_events WHERE cluster = ? AND service = ?",
		"DELETE FROM deployments WHERE cluster = ? AND service = ?",
		"DELETE FROM services WHERE cluster = ? AND name = ?",
		"DELETE FROM service_placement WHERE cluster = ? AND service = ?",
	};
	for (size_t i = 0; i < ELEMENTSOF(steps); i++)
		if (hub_store_exec_text(s, steps[i], err, 2, cluster, name) < 0)
			return -EIO;
	return 0;
}

int service_store_each(struct hub_store *s, const char *cluster, bool with_inactive,
		       void (*fn)(const struct service *svc, void *data), void *data,
		       struct error *err)
{
	_cleanup_stmt_ sqlite3_stmt *st = hub_store_prepare(
		s, "SELECT " SERVICE_COLUMNS " FROM services WHERE (?1 IS NULL OR cluster = ?1)"
		   " AND (?2 OR status != 'INACTIVE') ORDER BY cluster, name", err);
	if (!st)
		return -EIO;
	sqlite3_bind_text(st, 1, cluster, -1, SQLITE_STATIC);
	sqlite3_bind_int(st, 2, with_inactive);
	int rc;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		struct service svc;
		service_of_row(st, &svc);
		fn(&svc, data);
	}
	return rc == SQLITE_DONE ? 0 : error_set(err, EIO, "reading the services");
}

#define DEPLOYMENT_COLUMNS                                                                       \
	"id, family, revision, status, failed, rollout_state, rollout_reason, created_at,"      \
	" updated_at"

static void deployment_of_row(sqlite3_stmt *st, struct deployment *d)
{
	*d = (struct deployment){ 0 };
	copy_text(d->id, sizeof(d->id), st, 0);
	copy_text(d->family, sizeof(d->family), st, 1);
	d->revision = sqlite3_column_int64(st, 2);
	copy_text(d->status, sizeof(d->status), st, 3);
	d->failed = sqlite3_column_int64(st, 4);
	copy_text(d->rollout_state, sizeof(d->rollout_state), st, 5);
	copy_text(d->rollout_reason, sizeof(d->rollout_reason), st, 6);
	d->created_at = sqlite3_column_double(st, 7);
	d->updated_at = sqlite3_column_double(st, 8);
}

int deployment_store_list(struct hub_store *s, const char *cluster, const char *service,
			  bool with_inactive, struct deployment **ret, size_t *n, struct error *err)
{
	*ret = NULL;
	*n = 0;
	_cleanup_stmt_ sqlite3_stmt *st = hub_store_prepare(
		s, "SELECT " DEPLOYMENT_COLUMNS " FROM deployments WHERE cluster = ?1"
		   " AND service = ?2 AND (?3 OR status != 'INACTIVE')"
		   " ORDER BY created_at DESC, rowid DESC", err);
	if (!st)
		return -EIO;
	sqlite3_bind_text(st, 1, cluster, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, service, -1, SQLITE_STATIC);
	sqlite3_bind_int(st, 3, with_inactive);
	size_t size = 0;
	while (sqlite3_step(st) == SQLITE_ROW) {
		if (*n == size) {
			size = size ? 2 * size : 4;
			struct deployment *more = realloc(*ret, size * sizeof(**ret));
			if (!more) {
				free(*ret);
				*ret = NULL;
				return error_set(err, ENOMEM, "out of memory");
			}
			*ret = more;
		}
		deployment_of_row(st, &(*ret)[(*n)++]);
	}
	return 0;
}

int deployment_store_put(struct hub_store *s, const char *cluster, const char *service,
			 const struct deployment *d, struct error *err)
{
	sqlite3_stmt *st = hub_store_prepare(
		s, "INSERT OR REPLACE INTO deployments(cluster, service, " DEPLOYMENT_COLUMNS ")"
		   " VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, nullif(?9, ''), ?10, ?11)", err);
	if (!st)
		return -EIO;
	sqlite3_bind_text(st, 1, cluster, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, service, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 3, d->id, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 4, d->family, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 5, d->revision);
	sqlite3_bind_text(st, 6, d->status, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 7, d->failed);
	sqlite3_bind_text(st, 8, d->rollout_state, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 9, d->rollout_reason, -1, SQLITE_STATIC);
	sqlite3_bind_double(st, 10, d->created_at);
	sqlite3_bind_double(st, 11, d->updated_at);
	return hub_store_step_done(s, st, err);
}

/* ECS's deployment ids: "ecs-svc/" and 19 decimal digits. */
static int deployment_id(char id[DEPLOYMENT_ID_MAX + 1], struct error *err)
{
	char hex[17];
	if (random_hex(hex, 8) < 0)
		return error_set(err, EIO, "no randomness available");
	unsigned long long v = strtoull(hex, NULL, 16) % 10000000000000000000ULL;
	snprintf(id, DEPLOYMENT_ID_MAX + 1, "ecs-svc/%019llu", v);
	return 0;
}

int deployment_store_start(struct hub_store *s, const char *cluster, const char *service,
			   const char *family, long long revision, const char *reason,
			   struct deployment *ret, struct error *err)
{
	double now = hub_now();
	sqlite3_stmt *st = hub_store_prepare(
		s, "UPDATE deployments SET status = 'ACTIVE', updated_at = ?3"
		   " WHERE cluster = ?1 AND service = ?2 AND status = 'PRIMARY'", err);
	if (!st)
		return -EIO;
	sqlite3_bind_text(st, 1, cluster, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, service, -1, SQLITE_STATIC);
	sqlite3_bind_double(st, 3, now);
	if (hub_store_step_done(s, st, err) < 0)
		return -EIO;
	*ret = (struct deployment){ .revision = revision, .created_at = now, .updated_at = now };
	if (deployment_id(ret->id, err) < 0)
		return -EIO;
	snprintf(ret->family, sizeof(ret->family), "%s", family);
	snprintf(ret->status, sizeof(ret->status), "PRIMARY");
	snprintf(ret->rollout_state, sizeof(ret->rollout_state), "IN_PROGRESS");
	snprintf(ret->rollout_reason, sizeof(ret->rollout_reason), "%s", reason ? reason : "");
	return deployment_store_put(s, cluster, service, ret, err);
}

int deployment_store_last_completed(struct hub_store *s, const char *cluster,
				    const char *service, struct deployment *ret,
				    struct error *err)
{
	_cleanup_stmt_ sqlite3_stmt *st = hub_store_prepare(
		s, "SELECT " DEPLOYMENT_COLUMNS " FROM deployments WHERE cluster = ? AND service = ?"
		   " AND rollout_state = 'COMPLETED' ORDER BY created_at DESC, rowid DESC LIMIT 1",
		err);
	if (!st)
		return -EIO;
	sqlite3_bind_text(st, 1, cluster, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, service, -1, SQLITE_STATIC);
	if (sqlite3_step(st) != SQLITE_ROW)
		return 1;
	deployment_of_row(st, ret);
	return 0;
}

int service_event_add(struct hub_store *s, const char *cluster, const char *service,
		      struct error *err, const char *fmt, ...)
{
	char message[1024];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(message, sizeof(message), fmt, ap);
	va_end(ap);
	char id[37];
	if (random_uuid(id) < 0)
		return error_set(err, EIO, "no randomness available");
	sqlite3_stmt *st = hub_store_prepare(
		s, "INSERT INTO service_events(cluster, service, id, created_at, message)"
		   " VALUES(?, ?, ?, ?, ?)", err);
	if (!st)
		return -EIO;
	sqlite3_bind_text(st, 1, cluster, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, service, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 3, id, -1, SQLITE_STATIC);
	sqlite3_bind_double(st, 4, hub_now());
	sqlite3_bind_text(st, 5, message, -1, SQLITE_STATIC);
	if (hub_store_step_done(s, st, err) < 0)
		return -EIO;
	st = hub_store_prepare(
		s, "DELETE FROM service_events WHERE cluster = ?1 AND service = ?2 AND seq <="
		   " (SELECT seq FROM service_events WHERE cluster = ?1 AND service = ?2"
		   " ORDER BY seq DESC LIMIT 1 OFFSET ?3)", err);
	if (!st)
		return -EIO;
	sqlite3_bind_text(st, 1, cluster, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, service, -1, SQLITE_STATIC);
	sqlite3_bind_int(st, 3, SERVICE_EVENTS_KEPT);
	return hub_store_step_done(s, st, err);
}

cJSON *service_events_view(struct hub_store *s, const char *cluster, const char *service)
{
	cJSON *list = cJSON_CreateArray();
	_cleanup_stmt_ sqlite3_stmt *st = hub_store_prepare(
		s, "SELECT id, created_at, message FROM service_events WHERE cluster = ?"
		   " AND service = ? ORDER BY seq DESC LIMIT ?", NULL);
	if (!st)
		return list;
	sqlite3_bind_text(st, 1, cluster, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, service, -1, SQLITE_STATIC);
	sqlite3_bind_int(st, 3, SERVICE_EVENTS_KEPT);
	while (sqlite3_step(st) == SQLITE_ROW) {
		cJSON *e = cJSON_CreateObject();
		cJSON_AddStringToObject(e, "id", col_text(st, 0));
		cJSON_AddNumberToObject(e, "createdAt", sqlite3_column_double(st, 1));
		cJSON_AddStringToObject(e, "message", col_text(st, 2));
		cJSON_AddItemToArray(list, e);
	}
	return list;
}
