#include "protocol/json_value.h"

#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/cleanup.h"

void json_path(char buf[JSON_PATH_MAX], const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(buf, JSON_PATH_MAX, fmt, ap);
	va_end(ap);
}

bool json_text_has_nul(const char *text, size_t size)
{
	bool in_string = false;
	for (size_t i = 0; i < size; i++) {
		if (text[i] == '\0')
			return true;
		if (text[i] == '"') {
			in_string = !in_string;
		} else if (in_string && text[i] == '\\' && i + 1 < size) {
			i++; /* the escaped character, so that \" and \\ do not end or start anything */
			if (text[i] == 'u' && size - i > 4 && memcmp(text + i + 1, "0000", 4) == 0)
				return true;
		}
	}
	return false;
}

const char *json_string_member(const cJSON *obj, const char *name)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(obj, name);
	return cJSON_IsString(v) ? v->valuestring : NULL;
}

bool json_is_unsigned_integer(const cJSON *v)
{
	if (!cJSON_IsNumber(v))
		return false;
	double d = v->valuedouble;
	/* The NaN and infinity checks come first: comparisons with them are all false. */
	return isfinite(d) && d >= 0 && d <= (double)JSON_MAX_SAFE_INTEGER && d == floor(d);
}

bool json_value_asks_nothing(const cJSON *v)
{
	return cJSON_IsNull(v) || cJSON_IsFalse(v) ||
	       ((cJSON_IsArray(v) || cJSON_IsObject(v)) && !v->child);
}

static _Thread_local struct json_unknown_sink *unknown_sink;

void json_unknown_gather(struct json_unknown_sink *sink)
{
	unknown_sink = sink;
}

static void sink_absent(struct json_unknown_sink *sink, const cJSON *obj, const cJSON *member)
{
	if (sink->n_absent == JSON_UNKNOWN_MAX_ABSENT) {
		sink->absent_overflow = true;
		return;
	}
	/* The parsers only read; the owner of the document removes these afterwards. */
	sink->absent[sink->n_absent++] = (struct json_member_ref){ (cJSON *)obj, (cJSON *)member };
}

static void sink_unknown(struct json_unknown_sink *sink, const char *path, const char *sep,
			 const char *name)
{
	size_t room = sizeof(sink->names) - sink->used;
	const char *comma = sink->count ? ", " : "";
	sink->count++;
	if (room <= 5)
		return;
	int w = snprintf(sink->names + sink->used, room, "%s%s%s%.64s", comma, path, sep, name);
	if (w > 0 && (size_t)w < room - 5) {
		sink->used += (size_t)w;
		return;
	}
	sink->names[sink->used] = '\0';
	snprintf(sink->names + sink->used, room, "%s...", comma);
	sink->used = sizeof(sink->names) - 1;
}

int json_object_members(const cJSON *obj, const char *path, const char *const names[],
			size_t n_names, const cJSON *found[], struct error *err)
{
	if (!cJSON_IsObject(obj))
		return error_set(err, EINVAL, "%s: expected an object", path);
	for (size_t i = 0; i < n_names; i++)
		found[i] = NULL;
	struct json_unknown_sink *sink = unknown_sink;
	const cJSON *member;
	cJSON_ArrayForEach(member, obj) {
		size_t i = 0;
		while (i < n_names && strcmp(member->string, names[i]) != 0)
			i++;
		const char *sep = path[0] ? "." : "";
		if (sink && (i == n_names ? json_value_asks_nothing(member) : cJSON_IsNull(member))) {
			sink_absent(sink, obj, member);
			continue;
		}
		if (i == n_names && sink) {
			sink_unknown(sink, path, sep, member->string);
			continue;
		}
		if (i == n_names)
			return error_set(err, EINVAL, "%s%s%.64s: field not supported by tether",
					 path, sep, member->string);
		if (found[i])
			return error_set(err, EINVAL, "%s%s%s: field given twice", path, sep,
					 names[i]);
		found[i] = member;
	}
	return 0;
}

int json_get_string(const cJSON *v, const char *path, size_t min_len, size_t max_len,
		    char **ret, struct error *err)
{
	if (!cJSON_IsString(v) || !v->valuestring)
		return error_set(err, EINVAL, "%s: expected a string", path);
	size_t len = strlen(v->valuestring);
	if (len < min_len)
		return error_set(err, EINVAL, "%s: must not be empty", path);
	if (len > max_len)
		return error_set(err, EINVAL, "%s: longer than %zu bytes", path, max_len);
	char *copy = strdup(v->valuestring);
	if (!copy)
		return error_set(err, ENOMEM, "%s: out of memory", path);
	*ret = copy;
	return 0;
}

int json_get_uint(const cJSON *v, const char *path, uint64_t min, uint64_t max, uint64_t *ret,
		  struct error *err)
{
	if (!json_is_unsigned_integer(v))
		return error_set(err, EINVAL, "%s: expected a non-negative integer", path);
	uint64_t n = (uint64_t)v->valuedouble;
	if (n < min || n > max)
		return error_set(err, ERANGE, "%s: %llu is outside %llu..%llu", path,
				 (unsigned long long)n, (unsigned long long)min,
				 (unsigned long long)max);
	*ret = n;
	return 0;
}

int json_get_bool(const cJSON *v, const char *path, bool *ret, struct error *err)
{
	if (!cJSON_IsBool(v))
		return error_set(err, EINVAL, "%s: expected true or false", path);
	*ret = cJSON_IsTrue(v);
	return 0;
}

void cjson_deletep(cJSON **json)
{
	cJSON_Delete(*json);
}

void json_strv_free(char **strv)
{
	if (!strv)
		return;
	for (char **s = strv; *s; s++)
		free(*s);
	free(strv);
}

static void json_strv_freep(char ***strv)
{
	json_strv_free(*strv);
}

int json_get_string_array(const cJSON *v, const char *path, size_t max_items, size_t max_len,
			  char ***ret, struct error *err)
{
	if (!cJSON_IsArray(v))
		return error_set(err, EINVAL, "%s: expected an array of strings", path);
	size_t n = (size_t)cJSON_GetArraySize(v);
	if (n > max_items)
		return error_set(err, EINVAL, "%s: more than %zu items", path, max_items);
	_cleanup_(json_strv_freep) char **strv = calloc(n + 1, sizeof(char *));
	if (!strv)
		return error_set(err, ENOMEM, "%s: out of memory", path);
	size_t i = 0;
	const cJSON *item;
	cJSON_ArrayForEach(item, v) {
		char item_path[JSON_PATH_MAX];
		json_path(item_path, "%s[%zu]", path, i);
		int r = json_get_string(item, item_path, 0, max_len, &strv[i], err);
		if (r < 0)
			return r;
		i++;
	}
	*ret = TAKE_PTR(strv);
	return 0;
}

int json_parse_object_array(const cJSON *v, const char *path, const struct json_object_array *spec,
			    void *ret_items, size_t *ret_n, struct error *err)
{
	if (!cJSON_IsArray(v))
		return error_set(err, EINVAL, "%s: expected an array of %s", path, spec->shape);
	size_t n = (size_t)cJSON_GetArraySize(v);
	if (n > spec->max_items)
		return error_set(err, EINVAL, "%s: more than %zu %s", path, spec->max_items,
				 spec->what);
	char *items = calloc(n ? n : 1, spec->item_size);
	if (!items)
		return error_set(err, ENOMEM, "%s: out of memory", path);
	*(void **)ret_items = items;
	*ret_n = 0;
	const cJSON *item;
	cJSON_ArrayForEach(item, v) {
		size_t i = (*ret_n)++;
		char item_path[JSON_PATH_MAX];
		json_path(item_path, "%s[%zu]", path, i);
		int r = spec->parse(item, item_path, items, i, err);
		if (r < 0)
			return r;
	}
	return 0;
}
