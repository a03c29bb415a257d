#include <errno.h>

#include "common/cleanup.h"
#include "hub/placement/node_attributes.h"

int node_attributes_put(struct hub_store *s, const char *node_id, const char *name,
			const char *value, struct error *err)
{
	return hub_store_exec_text(s, "INSERT INTO node_attributes(node_id, name, value)"
				      " VALUES(?, ?, ?) ON CONFLICT(node_id, name)"
				      " DO UPDATE SET value = excluded.value", err, 3,
				   node_id, name, value);
}

int node_attributes_delete(struct hub_store *s, const char *node_id, const char *name,
			   struct error *err)
{
	return hub_store_exec_text(s, "DELETE FROM node_attributes WHERE node_id = ? AND name = ?",
				   err, 2, node_id, name);
}

long long node_attributes_count(struct hub_store *s, const char *node_id, struct error *err)
{
	_cleanup_stmt_ sqlite3_stmt *st =
		hub_store_prepare(s, "SELECT count(*) FROM node_attributes WHERE node_id = ?", err);
	if (!st)
		return -EIO;
	sqlite3_bind_text(st, 1, node_id, -1, SQLITE_STATIC);
	if (sqlite3_step(st) != SQLITE_ROW)
		return error_set(err, EIO, "count the attributes of %s", node_id);
	return sqlite3_column_int64(st, 0);
}

void node_attributes_read(struct node_attributes *a, const char *builtin_json,
			  const char *custom_json)
{
	a->builtin = cJSON_Parse(builtin_json);
	a->custom = cJSON_Parse(custom_json);
}

void node_attributes_release(struct node_attributes *a)
{
	cJSON_Delete(a->builtin);
	cJSON_Delete(a->custom);
	*a = (struct node_attributes){ 0 };
}

int node_attributes_lookup(void *data, const char *name, const char **ret_value)
{
	const struct node_attributes *a = data;
	const cJSON *maps[2] = { a->builtin, a->custom };
	for (int i = 0; i < 2; i++) {
		const cJSON *v = cJSON_GetObjectItemCaseSensitive(maps[i], name);
		if (cJSON_IsString(v) || cJSON_IsNull(v)) {
			*ret_value = cJSON_IsString(v) ? v->valuestring : NULL;
			return 1;
		}
	}
	return 0;
}

cJSON *node_attributes_view(const struct node_attributes *a)
{
	cJSON *list = cJSON_CreateArray();
	const cJSON *maps[2] = { a->builtin, a->custom };
	for (int i = 0; i < 2; i++) {
		const cJSON *v;
		cJSON_ArrayForEach(v, maps[i])
		{
			if (!cJSON_IsString(v) && !cJSON_IsNull(v))
				continue;
			cJSON *o = cJSON_CreateObject();
			cJSON_AddStringToObject(o, "name", v->string);
			if (cJSON_IsString(v))
				cJSON_AddStringToObject(o, "value", v->valuestring);
			cJSON_AddItemToArray(list, o);
		}
	}
	return list;
}
