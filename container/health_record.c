/* Reading and writing the health record. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "common/cleanup.h"
#include "common/fileio.h"
#include "container/health_record.h"
#include "protocol/json_value.h"

/* Length of the valid UTF-8 sequence at s (at most n bytes), 0 when it is not one. */
static size_t utf8_sequence(const unsigned char *s, size_t n)
{
	size_t len = s[0] < 0x80 ? 1 : (s[0] & 0xe0) == 0xc0 ? 2 : (s[0] & 0xf0) == 0xe0 ? 3 :
		     (s[0] & 0xf8) == 0xf0 ? 4 : 0;
	if (len == 0 || len > n || (len == 2 && s[0] < 0xc2) || (len == 4 && s[0] > 0xf4))
		return 0;
	for (size_t i = 1; i < len; i++)
		if ((s[i] & 0xc0) != 0x80)
			return 0;
	uint32_t cp = len == 1 ? s[0] : len == 2 ? (s[0] & 0x1fu) : len == 3 ? (s[0] & 0x0fu)
									: (s[0] & 0x07u);
	for (size_t i = 1; i < len; i++)
		cp = (cp << 6) | (s[i] & 0x3fu);
	if ((len == 3 && (cp < 0x800 || (cp >= 0xd800 && cp <= 0xdfff))) ||
	    (len == 4 && (cp < 0x10000 || cp > 0x10ffff)))
		return 0;
	return len;
}

char *health_output_clean(const char *output, size_t size)
{
	const unsigned char *s = (const unsigned char *)output;
	if (size > HEALTH_OUTPUT_MAX) {
		s += size - HEALTH_OUTPUT_MAX;
		size = HEALTH_OUTPUT_MAX;
		/* Start at a character, not inside one. */
		for (int i = 0; i < 3 && size && (s[0] & 0xc0) == 0x80; i++, s++, size--)
			;
	}
	char *clean = malloc(size + 1);
	if (!clean)
		return NULL;
	size_t out = 0;
	for (size_t i = 0; i < size;) {
		size_t len = utf8_sequence(s + i, size - i);
		if (len == 0 || (len == 1 && ((s[i] < 0x20 && s[i] != '\n' && s[i] != '\t') ||
					      s[i] == 0x7f))) {
			clean[out++] = '?';
			i++;
			continue;
		}
		memcpy(clean + out, s + i, len);
		out += len;
		i += len;
	}
	clean[out] = '\0';
	return clean;
}

int health_record_write(const char *path, const struct health_record *rec, struct error *err)
{
	cJSON *o = cJSON_CreateObject();
	bool ok = o && cJSON_AddStringToObject(o, "status", container_health_name(rec->status)) &&
		  cJSON_AddNumberToObject(o, "failures", rec->failures) &&
		  cJSON_AddNumberToObject(o, "checks", (double)rec->checks) &&
		  cJSON_AddNumberToObject(o, "checked_at_ms", (double)rec->checked_at_ms) &&
		  (rec->output ? cJSON_AddStringToObject(o, "output", rec->output) != NULL
			       : cJSON_AddNullToObject(o, "output") != NULL);
	_cleanup_free_ char *text = ok ? cJSON_PrintUnformatted(o) : NULL;
	cJSON_Delete(o);
	if (!text)
		return error_set(err, ENOMEM, "health record");
	/* Replaced, not fsynced: a health means nothing after the reboot that could lose it. */
	int r = write_file_replace(path, text, strlen(text), 0644);
	if (r < 0)
		return error_set_errno(err, r, "write %s", path);
	return 0;
}

static bool status_from_name(const char *name, enum container_health *ret)
{
	static const enum container_health all[] = {
		CONTAINER_HEALTH_UNKNOWN, CONTAINER_HEALTH_HEALTHY, CONTAINER_HEALTH_UNHEALTHY,
	};
	for (size_t i = 0; i < ELEMENTSOF(all); i++)
		if (!strcmp(name, container_health_name(all[i]))) {
			*ret = all[i];
			return true;
		}
	return false;
}

static bool is_count(const cJSON *v, double max)
{
	return cJSON_IsNumber(v) && v->valuedouble >= 0 && v->valuedouble <= max &&
	       v->valuedouble == (double)(int64_t)v->valuedouble;
}

int health_record_parse(const char *text, struct health_record *ret, struct error *err)
{
	_cleanup_(cjson_deletep) cJSON *o = cJSON_Parse(text);
	const cJSON *status = cJSON_GetObjectItemCaseSensitive(o, "status");
	const cJSON *failures = cJSON_GetObjectItemCaseSensitive(o, "failures");
	const cJSON *checks = cJSON_GetObjectItemCaseSensitive(o, "checks");
	const cJSON *at = cJSON_GetObjectItemCaseSensitive(o, "checked_at_ms");
	const cJSON *output = cJSON_GetObjectItemCaseSensitive(o, "output");
	struct health_record rec = { 0 };
	if (!cJSON_IsString(status) || !status_from_name(status->valuestring, &rec.status) ||
	    !is_count(failures, UINT32_MAX) || !is_count(checks, 9007199254740991.0) ||
	    !is_count(at, 9007199254740991.0) || (!cJSON_IsString(output) && !cJSON_IsNull(output)))
		return error_set(err, EINVAL, "malformed health record");
	rec.failures = (uint32_t)failures->valuedouble;
	rec.checks = (uint64_t)checks->valuedouble;
	rec.checked_at_ms = (int64_t)at->valuedouble;
	if (cJSON_IsString(output) &&
	    !(rec.output = health_output_clean(output->valuestring, strlen(output->valuestring))))
		return error_set(err, ENOMEM, "health record");
	*ret = rec;
	return 0;
}

int health_record_read(const char *path, struct health_record *ret, struct error *err)
{
	_cleanup_free_ char *text = NULL;
	int r = read_file_full(path, 16 * 1024, &text, NULL);
	if (r < 0)
		return error_set_errno(err, r, "read %s", path);
	r = health_record_parse(text, ret, err);
	if (r < 0)
		return error_wrap(err, "%s", path);
	return 0;
}

void health_record_done(struct health_record *rec)
{
	free(rec->output);
	rec->output = NULL;
}
