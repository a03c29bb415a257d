/* The routes of the agent's servers, one row each: a new answer is one row and its handler. */
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "agent/api/api_answer.h"
#include "agent/api/api_handlers.h"

struct api_route {
	enum api_server_kind kind;
	/* Literal bytes, '*' for one non-empty path segment, or "**" at the end for the rest of
	 * the path (a task's ARN holds slashes). */
	const char *pattern;
	api_handler answer;     /* a JSON answer, or */
	api_text_handler text;  /* a Prometheus text one */
};

static const struct api_route api_routes[] = {
	{ API_LOCAL, "/v1/metadata", api_get_metadata, NULL },
	{ API_LOCAL, "/v1/tasks", api_get_tasks, NULL },
	{ API_LOCAL, "/v1/tasks/**", api_get_task, NULL },
	{ API_LOCAL, "/v1/health", api_get_health, NULL },
	{ API_METADATA, "/v4/*", task_metadata_get_container, NULL },
	{ API_METADATA, "/v4/*/task", task_metadata_get_task, NULL },
	{ API_METADATA, "/v4/*/stats", task_metadata_get_container_stats, NULL },
	{ API_METADATA, "/v4/*/task/stats", task_metadata_get_task_stats, NULL },
	{ API_METRICS, "/metrics", NULL, api_get_metrics },
};

static bool route_match(const char *pattern, const char *path, char *arg, size_t arg_size)
{
	arg[0] = '\0';
	while (*pattern) {
		if (pattern[0] == '*' && pattern[1] == '*') {
			size_t n = strlen(path);
			if (n == 0 || n >= arg_size)
				return false;
			memcpy(arg, path, n + 1);
			return true;
		}
		if (*pattern == '*') {
			size_t n = strcspn(path, "/");
			if (n == 0 || n >= arg_size)
				return false;
			memcpy(arg, path, n);
			arg[n] = '\0';
			path += n;
			pattern++;
			continue;
		}
		if (*pattern != *path)
			return false;
		pattern++;
		path++;
	}
	return *path == '\0';
}

int api_error(cJSON **ret, int status, const char *fmt, ...)
{
	char message[512];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(message, sizeof(message), fmt, ap);
	va_end(ap);
	*ret = cJSON_CreateObject();
	if (*ret && !cJSON_AddStringToObject(*ret, "error", message)) {
		cJSON_Delete(*ret);
		*ret = NULL;
	}
	return status;
}

/* The route's answer to METHOD PATH in RET (body NULL when out of memory). */
static void decide(const struct api_source *src, enum api_server_kind kind, const char *method,
		   const char *path, struct api_answer *ret)
{
	cJSON *body = NULL;
	ret->content_type = API_JSON;
	ret->body = NULL;
	if (strlen(path) > API_PATH_MAX) {
		ret->status = api_error(&body, 414, "the path is longer than %d bytes", API_PATH_MAX);
		goto json;
	}
	char arg[API_PATH_MAX + 1];
	for (size_t i = 0; i < sizeof(api_routes) / sizeof(api_routes[0]); i++) {
		const struct api_route *route = &api_routes[i];
		if (route->kind != kind || !route_match(route->pattern, path, arg, sizeof(arg)))
			continue;
		if (strcmp(method, "GET")) {
			ret->status = api_error(&body, 405, "%s is not allowed here: only GET", method);
		} else if (route->text) {
			ret->status = route->text(src, &ret->body);
			ret->content_type = API_EXPOSITION;
			return;
		} else {
			ret->status = route->answer(src, arg, &body);
		}
		goto json;
	}
	ret->status = api_error(&body, 404, "no such path: %s", path);
json:
	ret->body = body ? cJSON_PrintUnformatted(body) : NULL;
	cJSON_Delete(body);
}

void api_answer(const struct api_source *src, enum api_server_kind kind, const char *method,
		const char *path, struct api_answer *ret)
{
	decide(src, kind, method, path, ret);
	if (!ret->body) {
		ret->status = 500;
		ret->content_type = API_JSON;
		ret->body = strdup("{\"error\":\"out of memory\"}");
	}
}

void api_answer_release(struct api_answer *a)
{
	free(a->body);
	a->body = NULL;
}
