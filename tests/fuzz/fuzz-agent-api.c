/* Requests to the agent's local API and task metadata endpoint as a caller may send them
 * (the first byte picks the server and the method, the rest is the path), through the route
 * table and the answers; and the command line's parser of the answers. Every answer is JSON
 * with a status the routes give, and a metadata answer never names the other task. */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "agent/api/api_answer.h"
#include "agent/cli/api_client.h"
#include "tests/fuzz/fuzz_text.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define ARN_A "arn:aws:ecs:local:0:task/default/aaaa"
#define ARN_B "arn:aws:ecs:local:0:task/default/bbbb"

static const struct container_view one_container[] = {
	{ .name = "main", .image = "img", .known_status = "RUNNING", .health = "UNKNOWN",
	  .dir = "/nonexistent" },
};
static const struct task_view tasks[] = {
	{ .arn = ARN_A, .id = "aaaa", .family = "a", .network_mode = "host",
	  .known_status = "RUNNING", .desired_status = "RUNNING",
	  .containers = one_container, .n_containers = 1 },
	{ .arn = ARN_B, .id = "bbbb", .family = "b", .network_mode = "host",
	  .known_status = "STOPPED", .desired_status = "STOPPED",
	  .containers = one_container, .n_containers = 1 },
};

static void node(void *userdata, struct api_node *ret)
{
	(void)userdata;
	*ret = (struct api_node){ .cluster = "c", .node_id = "n", .unsent_state_changes = -1 };
}

static int walk(void *userdata, api_task_fn fn, void *fn_userdata)
{
	(void)userdata;
	for (size_t i = 0; i < 2; i++) {
		int r = fn(fn_userdata, &tasks[i]);
		if (r < 0)
			return r;
	}
	return 0;
}

static const struct metadata_key key = { .bytes = { 7 } };
static const struct api_source src = { .node = node, .foreach_task = walk,
				       .metadata_key = &key };

static void check_answer(const struct api_answer *a, enum api_server_kind kind)
{
	if (a->status != 200 && a->status != 404 && a->status != 405 && a->status != 414)
		abort();
	if (!a->body)
		abort();
	if (!strcmp(a->content_type, API_JSON)) {
		cJSON *j = cJSON_Parse(a->body);
		if (!j)
			abort();
		cJSON_Delete(j);
	} else if (kind != API_METRICS) {
		abort();
	}
	/* A token names one container of one task: its answer holds that task alone. */
	if (kind == API_METADATA && a->status == 200 && strstr(a->body, ARN_A) &&
	    strstr(a->body, ARN_B))
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 1)
		return 0;
	static const char *const methods[] = { "GET", "POST", "HEAD", "DELETE" };
	enum api_server_kind kind = data[0] & 1 ? API_METADATA : data[0] & 8 ? API_METRICS : API_LOCAL;
	const char *method = methods[(data[0] >> 1) & 3];
	char *path = fuzz_text(data + 1, size - 1);
	if (!path)
		return 0;
	/* "@" stands for a real token, so that the fuzzer reaches the metadata answers. */
	char *at = strchr(path, '@');
	char *full = NULL;
	if (at) {
		char token[METADATA_TOKEN_HEX_LEN + 1];
		*at = '\0';
		if (metadata_token(&key, data[0] & 2 ? ARN_B : ARN_A, "main", token) == 0 &&
		    asprintf(&full, "%s%s%s", path, token, at + 1) < 0)
			full = NULL;
	}
	struct api_answer a;
	api_answer(&src, kind, method, full ? full : path, &a);
	check_answer(&a, kind);
	api_answer_release(&a);

	int status;
	const char *body;
	size_t body_size;
	if (api_client_parse_answer((const char *)data, size, &status, &body, &body_size) == 0 &&
	    (body < (const char *)data || body + body_size > (const char *)data + size))
		abort();
	free(full);
	free(path);
	return 0;
}
