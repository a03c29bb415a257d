/* Reading and writing the exit record. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "common/cleanup.h"
#include "common/fileio.h"
#include "container/exit_record.h"

int exit_record_write(const char *path, const struct exit_record *rec, struct error *err)
{
	cJSON *o = cJSON_CreateObject();
	bool ok = o && cJSON_AddNumberToObject(o, "exit_code", rec->exit_code) &&
		  cJSON_AddNumberToObject(o, "signal", rec->signal) &&
		  cJSON_AddBoolToObject(o, "oom", rec->oom) &&
		  (rec->error ? cJSON_AddStringToObject(o, "error", rec->error) != NULL
			      : cJSON_AddNullToObject(o, "error") != NULL);
	_cleanup_free_ char *text = ok ? cJSON_PrintUnformatted(o) : NULL;
	cJSON_Delete(o);
	if (!text)
		return error_set(err, ENOMEM, "exit record");
	int r = write_file_atomic(path, text, strlen(text), 0644);
	if (r < 0)
		return error_set_errno(err, r, "write %s", path);
	return 0;
}

int exit_record_read(const char *path, struct exit_record *ret, struct error *err)
{
	_cleanup_free_ char *text = NULL;
	int r = read_file_full(path, 64 * 1024, &text, NULL);
	if (r < 0)
		return error_set_errno(err, r, "read %s", path);
	cJSON *o = cJSON_Parse(text);
	const cJSON *code = cJSON_GetObjectItemCaseSensitive(o, "exit_code");
	const cJSON *sig = cJSON_GetObjectItemCaseSensitive(o, "signal");
	const cJSON *error = cJSON_GetObjectItemCaseSensitive(o, "error");
	if (!cJSON_IsNumber(code) || !cJSON_IsNumber(sig) || code->valueint < 0 ||
	    code->valueint > 255 || sig->valueint < 0 || sig->valueint > 64) {
		cJSON_Delete(o);
		return error_set(err, EINVAL, "%s: malformed exit record", path);
	}
	struct exit_record rec = {
		.exit_code = code->valueint,
		.signal = sig->valueint,
		.oom = cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(o, "oom")),
	};
	if (cJSON_IsString(error) && !(rec.error = strdup(error->valuestring))) {
		cJSON_Delete(o);
		return error_set(err, ENOMEM, "exit record");
	}
	cJSON_Delete(o);
	*ret = rec;
	return 0;
}

void exit_record_done(struct exit_record *rec)
{
	free(rec->error);
	rec->error = NULL;
}
