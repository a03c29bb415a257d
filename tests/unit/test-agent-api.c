/* The local API's and the task metadata endpoint's answers, decided from a node's facts and
 * its tasks as the daemon hands them over (agent/api/api_source.h), without a server. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cjson/cJSON.h>

#include "agent/api/api_answer.h"
#include "agent/cli/api_client.h"
#include "agent/daemon/run_options.h"
#include "tests/unit/test.h"

#define ARN_A "arn:aws:ecs:local:000000000000:task/default/aaaa1111"
#define ARN_B "arn:aws:ecs:local:000000000000:task/default/bbbb2222"

static const struct container_view containers_a[] = {
	{ .name = "web", .image = "oci:/img:latest", .known_status = "RUNNING",
	  .health = "HEALTHY", .pid = 4242, .dir = "/nonexistent/web", .cgroup = NULL,
	  .cpu = 256, .memory_mib = 128, .essential = true },
	{ .name = "side", .image = "busybox", .known_status = "STOPPED",
	  .has_exit_code = true, .exit_code = 3, .reason = "done", .dir = "/nonexistent/side" },
};
static const struct container_view containers_b[] = {
	{ .name = "web", .image = "other", .known_status = "PENDING",
	  .dir = "/nonexistent/b" },
};
static const struct task_view tasks[] = {
	{ .arn = ARN_A, .id = "aaaa1111", .family = "fam", .network_mode = "host",
	  .known_status = "RUNNING", .desired_status = "RUNNING", .health = "HEALTHY", .cpu = 512,
	  .memory_mib = 256, .containers = containers_a, .n_containers = 2 },
	{ .arn = ARN_B, .id = "bbbb2222", .family = "other", .network_mode = "host",
	  .known_status = "PENDING", .desired_status = "RUNNING", .containers = containers_b,
	  .n_containers = 1 },
};

static void node(void *userdata, struct api_node *ret)
{
	(void)userdata;
	*ret = (struct api_node){ .cluster = "default", .container_instance_arn = "arn:ci",
				  .node_id = "node-1", .state_dir = "/var/lib/tether",
				  .version = "9.9", .connected = false, .link_since = 1000,
				  .link_error = "refused", .started_at = 1,
				  .unsent_state_changes = 4 };
}

static int walk(void *userdata, api_task_fn fn, void *fn_userdata)
{
	(void)userdata;
	for (size_t i = 0; i < sizeof(tasks) / sizeof(tasks[0]); i++) {
		int r = fn(fn_userdata, &tasks[i]);
		if (r < 0)
			return r;
	}
	return 0;
}

static const struct metadata_key key = { .bytes = { 1, 2, 3, 4 } };
static const struct api_source src = { .node = node, .foreach_task = walk,
				       .metadata_key = &key };

/* The answer to GET (or METHOD) PATH, parsed; its status in *status. */
static cJSON *ask(enum api_server_kind kind, const char *method, const char *path, int *status)
{
	struct api_answer a;
	api_answer(&src, kind, method, path, &a);
	*status = a.status;
	cJSON *j = cJSON_Parse(a.body);
	api_answer_release(&a);
	if (!j)
		test_fail_at(__FILE__, __LINE__, "%s: the body is not JSON", path);
	return j;
}

static const char *str(const cJSON *o, const char *name)
{
	return cJSON_GetStringValue(cJSON_GetObjectItem(o, name));
}

static int fixed_metrics(void *userdata, char **ret)
{
	(void)userdata;
	*ret = strdup("# TYPE tether_node_up gauge\ntether_node_up 1\n");
	return *ret ? 0 : -ENOMEM;
}

static cJSON *fixed_health(void *userdata)
{
	(void)userdata;
	return cJSON_Parse("{\"status\": \"OK\", \"checks\": []}");
}

TEST(api_metrics_answers_text_on_its_own_server_only)
{
	struct api_source with = src;
	with.metrics_text = fixed_metrics;
	struct api_answer a;
	api_answer(&with, API_METRICS, "GET", "/metrics", &a);
	ASSERT_INT_EQ(a.status, 200);
	ASSERT_STR_EQ(a.content_type, API_EXPOSITION);
	ASSERT_STR_EQ(a.body, "# TYPE tether_node_up gauge\ntether_node_up 1\n");
	api_answer_release(&a);
	/* Not on the other servers: a container must not read the node's figures. */
	api_answer(&with, API_METADATA, "GET", "/metrics", &a);
	ASSERT_INT_EQ(a.status, 404);
	ASSERT_STR_EQ(a.content_type, API_JSON);
	api_answer_release(&a);
	api_answer(&with, API_LOCAL, "GET", "/metrics", &a);
	ASSERT_INT_EQ(a.status, 404);
	api_answer_release(&a);
	api_answer(&with, API_METRICS, "POST", "/metrics", &a);
	ASSERT_INT_EQ(a.status, 405);
	api_answer_release(&a);
	api_answer(&with, API_METRICS, "GET", "/v1/health", &a);
	ASSERT_INT_EQ(a.status, 404);
	api_answer_release(&a);
	/* A source without metrics says so. */
	api_answer(&src, API_METRICS, "GET", "/metrics", &a);
	ASSERT_INT_EQ(a.status, 404);
	ASSERT_CONTAINS(a.body, "no metrics");
	api_answer_release(&a);
}

TEST(api_health_carries_the_nodes_last_round)
{
	struct api_source with = src;
	with.node_health = fixed_health;
	struct api_answer a;
	api_answer(&with, API_LOCAL, "GET", "/v1/health", &a);
	ASSERT_INT_EQ(a.status, 200);
	cJSON *j = cJSON_Parse(a.body);
	api_answer_release(&a);
	ASSERT_STR_EQ(str(cJSON_GetObjectItem(j, "node"), "status"), "OK");
	cJSON_Delete(j);
	/* Without a round there is no "node". */
	api_answer(&src, API_LOCAL, "GET", "/v1/health", &a);
	j = cJSON_Parse(a.body);
	api_answer_release(&a);
	ASSERT_TRUE(!cJSON_GetObjectItem(j, "node"));
	cJSON_Delete(j);
}

TEST(api_metadata_names_the_node_and_its_link)
{
	int status;
	cJSON *j = ask(API_LOCAL, "GET", "/v1/metadata", &status);
	ASSERT_INT_EQ(status, 200);
	ASSERT_STR_EQ(str(j, "cluster"), "default");
	ASSERT_STR_EQ(str(j, "node_id"), "node-1");
	ASSERT_STR_EQ(str(j, "container_instance_arn"), "arn:ci");
	ASSERT_STR_EQ(str(j, "version"), "9.9");
	cJSON *c = cJSON_GetObjectItem(j, "connection");
	ASSERT_STR_EQ(str(c, "state"), "disconnected");
	ASSERT_INT_EQ(cJSON_GetObjectItem(c, "since")->valuedouble, 1000);
	ASSERT_STR_EQ(str(c, "last_error"), "refused");
	cJSON_Delete(j);
}

TEST(api_tasks_lists_every_task_with_its_containers)
{
	int status;
	cJSON *j = ask(API_LOCAL, "GET", "/v1/tasks", &status);
	ASSERT_INT_EQ(status, 200);
	cJSON *list = cJSON_GetObjectItem(j, "tasks");
	ASSERT_INT_EQ(cJSON_GetArraySize(list), 2);
	cJSON *a = cJSON_GetArrayItem(list, 0);
	ASSERT_STR_EQ(str(a, "task_arn"), ARN_A);
	ASSERT_STR_EQ(str(a, "status"), "RUNNING");
	cJSON *side = cJSON_GetArrayItem(cJSON_GetObjectItem(a, "containers"), 1);
	ASSERT_STR_EQ(str(side, "status"), "STOPPED");
	ASSERT_INT_EQ(cJSON_GetObjectItem(side, "exit_code")->valueint, 3);
	ASSERT_STR_EQ(str(side, "reason"), "done");
	/* Health only where a healthCheck decides it, under the names task_state frames use. */
	ASSERT_STR_EQ(str(a, "health_status"), "HEALTHY");
	ASSERT_STR_EQ(str(cJSON_GetArrayItem(cJSON_GetObjectItem(a, "containers"), 0),
			  "health_status"), "HEALTHY");
	ASSERT_TRUE(!cJSON_GetObjectItem(side, "health_status"));
	ASSERT_TRUE(!cJSON_GetObjectItem(cJSON_GetArrayItem(list, 1), "health_status"));
	cJSON_Delete(j);
}

TEST(api_one_task_by_id_or_arn_and_404_otherwise)
{
	int status;
	cJSON *j = ask(API_LOCAL, "GET", "/v1/tasks/bbbb2222", &status);
	ASSERT_INT_EQ(status, 200);
	ASSERT_STR_EQ(str(j, "task_arn"), ARN_B);
	cJSON_Delete(j);
	j = ask(API_LOCAL, "GET", "/v1/tasks/" ARN_A, &status);
	ASSERT_INT_EQ(status, 200);
	ASSERT_STR_EQ(str(j, "task_id"), "aaaa1111");
	cJSON_Delete(j);
	j = ask(API_LOCAL, "GET", "/v1/tasks/cccc", &status);
	ASSERT_INT_EQ(status, 404);
	ASSERT_CONTAINS(str(j, "error"), "cccc");
	cJSON_Delete(j);
}

TEST(api_health_counts_tasks_by_state)
{
	int status;
	cJSON *j = ask(API_LOCAL, "GET", "/v1/health", &status);
	ASSERT_INT_EQ(status, 200);
	cJSON *t = cJSON_GetObjectItem(j, "tasks");
	ASSERT_INT_EQ(cJSON_GetObjectItem(t, "RUNNING")->valueint, 1);
	ASSERT_INT_EQ(cJSON_GetObjectItem(t, "PENDING")->valueint, 1);
	ASSERT_INT_EQ(cJSON_GetObjectItem(t, "STOPPED")->valueint, 0);
	ASSERT_STR_EQ(str(cJSON_GetObjectItem(j, "link"), "last_error"), "refused");
	ASSERT_INT_EQ(cJSON_GetObjectItem(j, "unsent_state_changes")->valueint, 4);
	cJSON_Delete(j);
}

TEST(api_unknown_path_404_wrong_method_405_long_path_414)
{
	int status;
	cJSON_Delete(ask(API_LOCAL, "GET", "/v1/nothing", &status));
	ASSERT_INT_EQ(status, 404);
	cJSON_Delete(ask(API_LOCAL, "GET", "/v1/tasks/", &status));
	ASSERT_INT_EQ(status, 404);
	cJSON_Delete(ask(API_LOCAL, "POST", "/v1/tasks", &status));
	ASSERT_INT_EQ(status, 405);
	cJSON_Delete(ask(API_LOCAL, "DELETE", "/v1/tasks/aaaa1111", &status));
	ASSERT_INT_EQ(status, 405);
	char path[API_PATH_MAX + 16] = "/v1/tasks/";
	memset(path + 10, 'x', sizeof(path) - 11);
	path[sizeof(path) - 1] = '\0';
	cJSON_Delete(ask(API_LOCAL, "GET", path, &status));
	ASSERT_INT_EQ(status, 414);
}

TEST(api_servers_keep_their_own_routes)
{
	int status;
	cJSON_Delete(ask(API_METADATA, "GET", "/v1/tasks", &status));
	ASSERT_INT_EQ(status, 404);
	char token[METADATA_TOKEN_HEX_LEN + 1], path[128];
	ASSERT_INT_EQ(metadata_token(&key, ARN_A, "web", token), 0);
	snprintf(path, sizeof(path), "/v4/%s", token);
	cJSON_Delete(ask(API_LOCAL, "GET", path, &status));
	ASSERT_INT_EQ(status, 404);
}

TEST(metadata_token_is_128_bits_per_container_and_keyed)
{
	char a[METADATA_TOKEN_HEX_LEN + 1], b[METADATA_TOKEN_HEX_LEN + 1],
		again[METADATA_TOKEN_HEX_LEN + 1], other_key[METADATA_TOKEN_HEX_LEN + 1];
	ASSERT_INT_EQ(metadata_token(&key, ARN_A, "web", a), 0);
	ASSERT_INT_EQ(strlen(a), 32);
	ASSERT_INT_EQ(strspn(a, "0123456789abcdef"), 32);
	ASSERT_INT_EQ(metadata_token(&key, ARN_A, "side", b), 0);
	ASSERT_INT_EQ(metadata_token(&key, ARN_A, "web", again), 0);
	ASSERT_TRUE(metadata_token_equal(a, again));
	ASSERT_TRUE(!metadata_token_equal(a, b));
	struct metadata_key k2 = key;
	k2.bytes[31] ^= 1;
	ASSERT_INT_EQ(metadata_token(&k2, ARN_A, "web", other_key), 0);
	ASSERT_TRUE(!metadata_token_equal(a, other_key));
	ASSERT_TRUE(!metadata_token_equal(a, "short"));
}

TEST(metadata_token_answers_its_own_task_only)
{
	char token[METADATA_TOKEN_HEX_LEN + 1], path[128];
	ASSERT_INT_EQ(metadata_token(&key, ARN_B, "web", token), 0);
	int status;
	snprintf(path, sizeof(path), "/v4/%s/task", token);
	cJSON *j = ask(API_METADATA, "GET", path, &status);
	ASSERT_INT_EQ(status, 200);
	ASSERT_STR_EQ(str(j, "TaskARN"), ARN_B);
	ASSERT_INT_EQ(cJSON_GetArraySize(cJSON_GetObjectItem(j, "Containers")), 1);
	char *text = cJSON_PrintUnformatted(j);
	ASSERT_TRUE(!strstr(text, ARN_A) && !strstr(text, "aaaa1111"));
	free(text);
	cJSON_Delete(j);

	snprintf(path, sizeof(path), "/v4/%s", token);
	j = ask(API_METADATA, "GET", path, &status);
	ASSERT_INT_EQ(status, 200);
	ASSERT_STR_EQ(str(j, "Name"), "web");
	ASSERT_STR_EQ(str(j, "DockerId"), "bbbb2222-web");
	ASSERT_STR_EQ(str(j, "Image"), "other");
	cJSON_Delete(j);
}

TEST(metadata_task_has_ecs_v4_fields)
{
	char token[METADATA_TOKEN_HEX_LEN + 1], path[128];
	ASSERT_INT_EQ(metadata_token(&key, ARN_A, "side", token), 0);
	snprintf(path, sizeof(path), "/v4/%s/task", token);
	int status;
	cJSON *j = ask(API_METADATA, "GET", path, &status);
	ASSERT_INT_EQ(status, 200);
	ASSERT_STR_EQ(str(j, "Cluster"), "default");
	ASSERT_STR_EQ(str(j, "Family"), "fam");
	ASSERT_STR_EQ(str(j, "KnownStatus"), "RUNNING");
	ASSERT_TRUE(!cJSON_GetObjectItem(j, "AvailabilityZone"));
	ASSERT_TRUE(cJSON_GetObjectItem(cJSON_GetObjectItem(j, "Limits"), "CPU")->valuedouble == 0.5);
	cJSON *web = cJSON_GetArrayItem(cJSON_GetObjectItem(j, "Containers"), 0);
	ASSERT_STR_EQ(str(web, "KnownStatus"), "RUNNING");
	ASSERT_STR_EQ(str(cJSON_GetObjectItem(web, "Labels"), "com.amazonaws.ecs.task-arn"), ARN_A);
	ASSERT_INT_EQ(cJSON_GetObjectItem(cJSON_GetObjectItem(web, "Limits"), "Memory")->valueint,
		      128);
	ASSERT_STR_EQ(str(cJSON_GetObjectItem(web, "Health"), "status"), "HEALTHY");
	cJSON *side = cJSON_GetArrayItem(cJSON_GetObjectItem(j, "Containers"), 1);
	ASSERT_INT_EQ(cJSON_GetObjectItem(side, "ExitCode")->valueint, 3);
	cJSON_Delete(j);

	/* No cgroup to read: the container's stats are null, keyed by its id in the task's. */
	snprintf(path, sizeof(path), "/v4/%s/task/stats", token);
	j = ask(API_METADATA, "GET", path, &status);
	ASSERT_INT_EQ(status, 200);
	ASSERT_TRUE(cJSON_IsNull(cJSON_GetObjectItem(j, "aaaa1111-side")));
	ASSERT_INT_EQ(cJSON_GetArraySize(j), 2);
	cJSON_Delete(j);
}

TEST(metadata_unknown_or_forged_token_404)
{
	char token[METADATA_TOKEN_HEX_LEN + 1], path[128];
	ASSERT_INT_EQ(metadata_token(&key, ARN_A, "web", token), 0);
	token[0] = token[0] == '0' ? '1' : '0';
	snprintf(path, sizeof(path), "/v4/%s/task", token);
	int status;
	cJSON_Delete(ask(API_METADATA, "GET", path, &status));
	ASSERT_INT_EQ(status, 404);
	cJSON_Delete(ask(API_METADATA, "GET", "/v4/", &status));
	ASSERT_INT_EQ(status, 404);
	cJSON_Delete(ask(API_METADATA, "GET", "/v4/x/task/other", &status));
	ASSERT_INT_EQ(status, 404);
}

TEST(metadata_key_is_made_once_and_kept_private)
{
	char dir[] = "/tmp/tether-key-XXXXXX";
	ASSERT_TRUE(mkdtemp(dir));
	struct metadata_key k1, k2;
	struct error err = { 0 };
	ASSERT_INT_EQ(metadata_key_load(dir, &k1, &err), 0);
	ASSERT_INT_EQ(metadata_key_load(dir, &k2, &err), 0);
	ASSERT_TRUE(!memcmp(k1.bytes, k2.bytes, sizeof(k1.bytes)));
	char path[128];
	snprintf(path, sizeof(path), "%s/%s", dir, METADATA_KEY_FILE);
	ASSERT_INT_EQ(chmod(path, 0644), 0);
	ASSERT_INT_EQ(metadata_key_load(dir, &k2, &err), -EPERM);
	unlink(path);
	rmdir(dir);
}

TEST(api_client_parses_answers)
{
	static const char ok[] = "HTTP/1.1 200 OK\r\ncontent-length: 2\r\n\r\n{}trailing";
	int status;
	const char *body;
	size_t size;
	ASSERT_INT_EQ(api_client_parse_answer(ok, strlen(ok), &status, &body, &size), 0);
	ASSERT_INT_EQ(status, 200);
	ASSERT_INT_EQ(size, 2);
	ASSERT_TRUE(!memcmp(body, "{}", 2));
	static const char short_body[] = "HTTP/1.1 200 OK\r\nContent-Length: 20\r\n\r\n{}";
	ASSERT_INT_EQ(api_client_parse_answer(short_body, strlen(short_body), &status, &body,
					      &size), -EINVAL);
	static const char no_head_end[] = "HTTP/1.1 404 Not Found\r\n";
	ASSERT_INT_EQ(api_client_parse_answer(no_head_end, strlen(no_head_end), &status, &body,
					      &size), -EINVAL);
	ASSERT_INT_EQ(api_client_parse_answer("SSH-2.0", 7, &status, &body, &size), -EINVAL);
}

TEST(run_options_api_socket_and_metadata_address)
{
	char *envp[] = { NULL };
	struct run_options o;
	struct error err = { 0 };
	char *defaults[] = { "run", NULL };
	ASSERT_INT_EQ(run_options_parse(&o, envp, 1, defaults, &err), 0);
	ASSERT_STR_EQ(o.api_socket, "/run/tether/agent.sock");
	ASSERT_STR_EQ(o.metadata_address, "127.0.0.1");
	ASSERT_INT_EQ(o.metadata_port, 51679);
	char *set[] = { "run", "--api-socket", "off", "--metadata-address", "127.0.0.2:8080", NULL };
	ASSERT_INT_EQ(run_options_parse(&o, envp, 5, set, &err), 0);
	ASSERT_TRUE(!o.api_socket);
	ASSERT_STR_EQ(o.metadata_address, "127.0.0.2");
	ASSERT_INT_EQ(o.metadata_port, 8080);
	char *port_only[] = { "run", "--metadata-address", "9000", NULL };
	ASSERT_INT_EQ(run_options_parse(&o, envp, 3, port_only, &err), 0);
	ASSERT_STR_EQ(o.metadata_address, "127.0.0.1");
	ASSERT_INT_EQ(o.metadata_port, 9000);
	char *off[] = { "run", "--metadata-address", "off", NULL };
	ASSERT_INT_EQ(run_options_parse(&o, envp, 3, off, &err), 0);
	ASSERT_INT_EQ(o.metadata_port, 0);
	char *outside[] = { "run", "--metadata-address", "10.0.0.1:80", NULL };
	ASSERT_INT_EQ(run_options_parse(&o, envp, 3, outside, &err), -EINVAL);
	ASSERT_CONTAINS(err.message, "--metadata-address");
	ASSERT_CONTAINS(err.message, "loopback");
	char *relative[] = { "run", "--api-socket", "agent.sock", NULL };
	ASSERT_INT_EQ(run_options_parse(&o, envp, 3, relative, &err), -EINVAL);
	ASSERT_CONTAINS(err.message, "--api-socket");
}
