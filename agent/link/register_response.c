#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "agent/link/register_response.h"
#include "common/cleanup.h"
#include "protocol/json_value.h"

#define REGISTER_BODY_MAX (64 * 1024)

static cJSON *parse_object(const char *body, size_t size)
{
	if (size > REGISTER_BODY_MAX)
		return NULL;
	cJSON *j = cJSON_ParseWithLength(body, size);
	if (j && !cJSON_IsObject(j)) {
		cJSON_Delete(j);
		return NULL;
	}
	return j;
}

static bool url_is_websocket(const char *url)
{
	return !strncmp(url, "ws://", 5) || !strncmp(url, "wss://", 6);
}

int register_response_parse(const char *body, size_t size, struct register_result *ret,
			    struct error *err)
{
	cJSON *j = parse_object(body, size);
	if (!j)
		return error_set(err, EBADMSG, "hub answer is not a JSON object");

	struct register_result res = { 0 };
	int r = json_get_string(cJSON_GetObjectItemCaseSensitive(j, "node_id"), "node_id", 1, 256,
				&res.node_id, err);
	if (r >= 0)
		r = json_get_string(cJSON_GetObjectItemCaseSensitive(j, "container_instance_arn"),
				    "container_instance_arn", 1, 2048, &res.container_instance_arn,
				    err);
	if (r >= 0)
		r = json_get_string(cJSON_GetObjectItemCaseSensitive(j, "cluster"), "cluster", 1,
				    256, &res.cluster, err);
	if (r >= 0)
		r = json_get_string(cJSON_GetObjectItemCaseSensitive(j, "connect_url"),
				    "connect_url", 1, 2048, &res.connect_url, err);
	cJSON_Delete(j);
	if (r >= 0 && !url_is_websocket(res.connect_url))
		r = error_set(err, EBADMSG, "connect_url is not a ws:// or wss:// URL");
	/* Names go into file paths and log lines: refuse control characters and slashes. */
	if (r >= 0 && (strpbrk(res.node_id, "/\n\r\t") || strpbrk(res.cluster, "\n\r\t")))
		r = error_set(err, EBADMSG, "hub answer has an invalid node_id or cluster");
	if (r < 0) {
		register_result_release(&res);
		return error_wrap(err, "hub answer");
	}
	*ret = res;
	return 0;
}

int register_refusal_parse(long status, const char *body, size_t size, struct error *err)
{
	cJSON *j = parse_object(body, size);
	const cJSON *code = j ? cJSON_GetObjectItemCaseSensitive(j, "error") : NULL;
	const cJSON *message = j ? cJSON_GetObjectItemCaseSensitive(j, "message") : NULL;
	int errnum = status == 404 ? ENOENT : status == 403 ? EACCES : EINVAL;
	int r;
	if (cJSON_IsString(message) && message->valuestring[0] && strlen(message->valuestring) < 512)
		r = error_set(err, errnum, "%s", message->valuestring);
	else if (cJSON_IsString(code) && code->valuestring[0] && strlen(code->valuestring) < 128)
		r = error_set(err, errnum, "%s (HTTP %ld)", code->valuestring, status);
	else
		r = error_set(err, errnum, "hub answered HTTP %ld", status);
	cJSON_Delete(j);
	return r;
}

void register_result_release(struct register_result *r)
{
	free(r->node_id);
	free(r->container_instance_arn);
	free(r->cluster);
	free(r->connect_url);
	*r = (struct register_result){ 0 };
}
