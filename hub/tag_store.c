#include <errno.h>

#include "common/cleanup.h"
#include "hub/tag_rules.h"
#include "hub/tag_store.h"

int tag_store_put_one(struct hub_store *s, const char *arn, const char *key, const char *value,
		      struct error *err)
{
	return hub_store_exec_text(
		s, "INSERT OR REPLACE INTO tags(resource_arn, key, value) VALUES(?, ?, ?)", err, 3,
		arn, key, value ? value : "");
}

int tag_store_put(struct hub_store *s, const char *arn, const cJSON *tags, struct error *err)
{
	const cJSON *tag;
	cJSON_ArrayForEach(tag, tags)
	{
		const cJSON *value = cJSON_GetObjectItemCaseSensitive(tag, "value");
		if (tag_store_put_one(s, arn,
				      cJSON_GetObjectItemCaseSensitive(tag, "key")->valuestring,
				      cJSON_IsString(value) ? value->valuestring : "", err) < 0)
			return -EIO;
	}
	_cleanup_stmt_ sqlite3_stmt *st = hub_store_prepare(
		s, "SELECT count(*) FROM tags WHERE resource_arn = ?"
		   " AND key NOT LIKE '" TAG_RESERVED_PREFIX "%'", err);
	if (!st)
		return -EIO;
	sqlite3_bind_text(st, 1, arn, -1, SQLITE_STATIC);
	if (sqlite3_step(st) != SQLITE_ROW)
		return error_set(err, EIO, "count tags: %s", sqlite3_errmsg(s->db));
	if (sqlite3_column_int64(st, 0) > TAG_MAX_PER_RESOURCE)
		return error_set(err, EINVAL, "a resource has at most %d tags", TAG_MAX_PER_RESOURCE);
	return 0;
}

int tag_store_remove(struct hub_store *s, const char *arn, const cJSON *keys, struct error *err)
{
	const cJSON *key;
	cJSON_ArrayForEach(key, keys)
	{
		if (hub_store_exec_text(s, "DELETE FROM tags WHERE resource_arn = ? AND key = ?", err,
					2, arn, key->valuestring) < 0)
			return -EIO;
	}
	return 0;
}

int tag_store_copy(struct hub_store *s, const char *from_arn, const char *to_arn,
		   struct error *err)
{
	return hub_store_exec_text(s, "INSERT OR REPLACE INTO tags(resource_arn, key, value)"
				      " SELECT ?2, key, value FROM tags WHERE resource_arn = ?1",
				   err, 2, from_arn, to_arn);
}

int tag_store_forget(struct hub_store *s, const char *arn, struct error *err)
{
	return hub_store_exec_text(s, "DELETE FROM tags WHERE resource_arn = ?", err, 1, arn);
}

cJSON *tag_store_list(struct hub_store *s, const char *arn, struct error *err)
{
	_cleanup_stmt_ sqlite3_stmt *st = hub_store_prepare(
		s, "SELECT key, value FROM tags WHERE resource_arn = ? ORDER BY key", err);
	if (!st)
		return NULL;
	sqlite3_bind_text(st, 1, arn, -1, SQLITE_STATIC);
	cJSON *list = cJSON_CreateArray();
	while (sqlite3_step(st) == SQLITE_ROW) {
		cJSON *tag = cJSON_CreateObject();
		cJSON_AddStringToObject(tag, "key", col_text(st, 0));
		cJSON_AddStringToObject(tag, "value", col_text(st, 1));
		cJSON_AddItemToArray(list, tag);
	}
	return list;
}
