/* Container metrics on the agent: the bounded buffer (oldest dropped first and counted,
 * batches kept until acknowledged, an acked batch never sent again, a held one sent again with
 * its id after a reconnection), the metrics frame, and the node's exposition text read back. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "agent/metrics/agent_metrics_text.h"
#include "agent/metrics/metrics_buffer.h"
#include "agent/metrics/metrics_frame.h"
#include "agent/metrics/node_metrics.h"
#include "common/cleanup.h"
#include "common/exposition.h"
#include "protocol/json_value.h"
#include "tests/unit/test.h"

static struct metrics_sample sample(const char *container, double at)
{
	struct metrics_sample s = { .at = at, .task_arn = strdup("arn:task/1"),
				    .container = strdup(container) };
	s.has[CONTAINER_CPU_USAGE_USEC] = true;
	s.value[CONTAINER_CPU_USAGE_USEC] = (uint64_t)at * 1000;
	s.has[CONTAINER_MEMORY_CURRENT] = true;
	s.value[CONTAINER_MEMORY_CURRENT] = 4096;
	return s;
}

static void add(struct metrics_buffer *b, double at)
{
	struct metrics_sample s = sample("app", at);
	metrics_buffer_add(b, &s, 1);
}

struct sent {
	uint64_t batches[64];
	double first_at[64];
	size_t sizes[64];
	size_t n;
};

static void record(void *userdata, const char *text)
{
	struct sent *s = userdata;
	_cleanup_(cjson_deletep) cJSON *f = cJSON_Parse(text);
	const cJSON *samples = cJSON_GetObjectItem(f, "samples");
	if (s->n < 64 && f) {
		s->batches[s->n] = (uint64_t)cJSON_GetObjectItem(f, "batch")->valuedouble;
		s->sizes[s->n] = (size_t)cJSON_GetArraySize(samples);
		s->first_at[s->n] = cJSON_GetObjectItem(cJSON_GetArrayItem(samples, 0), "at")->valuedouble;
		s->n++;
	}
}

TEST(buffer_is_bounded_and_drops_the_oldest_first)
{
	struct metrics_buffer b;
	ASSERT_INT_EQ(metrics_buffer_init(&b, 3), 0);
	for (int i = 1; i <= 5; i++)
		add(&b, i);
	ASSERT_INT_EQ(b.count, 3);
	ASSERT_INT_EQ(b.dropped, 2);
	ASSERT_TRUE(metrics_buffer_at(&b, 0)->at == 3 && metrics_buffer_at(&b, 2)->at == 5);
	metrics_buffer_release(&b);
}

TEST(acked_batches_go_and_are_never_sent_again)
{
	struct node_metrics m;
	ASSERT_INT_EQ(node_metrics_init(&m, 16), 0);
	add(&m.buffer, 1);
	add(&m.buffer, 2);
	struct sent s = { 0 };
	node_metrics_send(&m, record, &s);
	ASSERT_INT_EQ(s.n, 1);
	ASSERT_INT_EQ(s.batches[0], 1);
	ASSERT_INT_EQ(s.sizes[0], 2);
	node_metrics_send(&m, record, &s); /* nothing new on this connection */
	ASSERT_INT_EQ(s.n, 1);
	add(&m.buffer, 3);
	node_metrics_send(&m, record, &s);
	ASSERT_INT_EQ(s.n, 2);
	ASSERT_INT_EQ(s.batches[1], 2);
	node_metrics_acked(&m, 1);
	ASSERT_INT_EQ(m.buffer.count, 1);
	/* A new connection: batch 2 (its ack never came) goes again with its id; batch 1 not. */
	node_metrics_connected(&m);
	node_metrics_send(&m, record, &s);
	ASSERT_INT_EQ(s.n, 3);
	ASSERT_INT_EQ(s.batches[2], 2);
	ASSERT_TRUE(s.first_at[2] == 3);
	node_metrics_acked(&m, 2);
	ASSERT_INT_EQ(m.buffer.count, 0);
	node_metrics_connected(&m);
	node_metrics_send(&m, record, &s);
	ASSERT_INT_EQ(s.n, 3);
	node_metrics_release(&m);
}

TEST(samples_taken_offline_form_batches_of_bounded_size_on_reconnect)
{
	struct node_metrics m;
	ASSERT_INT_EQ(node_metrics_init(&m, METRICS_BATCH_MAX * 2 + 10), 0);
	for (int i = 0; i < METRICS_BATCH_MAX * 2 + 10; i++)
		add(&m.buffer, i + 1);
	struct sent s = { 0 };
	node_metrics_send(&m, record, &s);
	ASSERT_INT_EQ(s.n, 3);
	ASSERT_INT_EQ(s.sizes[0], METRICS_BATCH_MAX);
	ASSERT_INT_EQ(s.sizes[2], 10);
	ASSERT_TRUE(s.batches[0] == 1 && s.batches[1] == 2 && s.batches[2] == 3);
	/* An ack of a later batch covers the earlier ones. */
	node_metrics_acked(&m, 2);
	ASSERT_INT_EQ(m.buffer.count, 10);
	node_metrics_release(&m);
}

TEST(a_held_batch_dropped_for_room_is_not_resent_whole)
{
	struct node_metrics m;
	ASSERT_INT_EQ(node_metrics_init(&m, 4), 0);
	add(&m.buffer, 1);
	add(&m.buffer, 2);
	struct sent s = { 0 };
	node_metrics_send(&m, record, &s); /* batch 1: samples 1, 2 */
	for (int i = 3; i <= 6; i++)
		add(&m.buffer, i); /* offline: 1 and 2 make room */
	ASSERT_INT_EQ(m.buffer.dropped, 2);
	node_metrics_connected(&m);
	node_metrics_send(&m, record, &s);
	ASSERT_INT_EQ(s.n, 2);
	ASSERT_INT_EQ(s.batches[1], 2);
	ASSERT_TRUE(s.first_at[1] == 3);
	ASSERT_INT_EQ(s.sizes[1], 4);
	node_metrics_release(&m);
}

TEST(frame_carries_run_batch_dropped_and_present_figures_only)
{
	struct metrics_buffer b;
	ASSERT_INT_EQ(metrics_buffer_init(&b, 4), 0);
	add(&b, 7);
	b.dropped = 5;
	ASSERT_INT_EQ(metrics_buffer_new_batch(&b), 1);
	_cleanup_free_ char *text = metrics_frame(&b, "abc", 1, 0, 1);
	ASSERT_CONTAINS(text, "\"type\":\"metrics\"");
	ASSERT_CONTAINS(text, "\"run\":\"abc\",\"batch\":1,\"dropped\":5");
	ASSERT_CONTAINS(text, "\"cpu_usage_usec\":7000,\"memory_current_bytes\":4096}");
	ASSERT_TRUE(!strstr(text, "pids_current"));
	metrics_buffer_release(&b);
}

TEST(exposition_escapes_label_values)
{
	struct exposition e = { 0 };
	exposition_family(&e, "x_total", "counter", "Help.");
	const char *labels[] = { "a", "q\"b\\s\nn", NULL };
	exposition_sample(&e, "x_total", labels, 3);
	exposition_sample(&e, "x_total", NULL, 0.5);
	char *text = NULL;
	ASSERT_INT_EQ(exposition_finish(&e, &text), 0);
	ASSERT_STR_EQ(text, "# HELP x_total Help.\n# TYPE x_total counter\n"
			    "x_total{a=\"q\\\"b\\\\s\\nn\"} 3\nx_total 0.5\n");
	free(text);
}

TEST(agent_text_has_node_facts_health_and_containers)
{
	struct node_health h;
	node_health_init(&h, 0);
	h.facts.uptime_s = 100;
	h.facts.mem_total_bytes = 1000;
	h.facts.cpu = (struct pressure){ .known = true, .some_avg10 = 1.25 };
	struct health_check_result round[HEALTH_CHECK_COUNT];
	for (int i = 0; i < HEALTH_CHECK_COUNT; i++)
		round[i] = (struct health_check_result){ .ok = i != HEALTH_IMAGE_STORE };
	health_verdict_record(&h.verdict, round, 1);
	struct metrics_sample s = sample("web \"1\"", 9);
	char *text = NULL;
	struct task_status_counts tasks = { .pending = 1, .running = 2 };
	ASSERT_INT_EQ(agent_metrics_text(&h, &tasks, &s, 1, &text), 0);
	metrics_sample_release(&s);
	ASSERT_CONTAINS(text, "\ntether_node_uptime_seconds 100\n");
	ASSERT_CONTAINS(text, "\ntether_tasks{status=\"PENDING\"} 1\ntether_tasks{status=\"RUNNING\"} 2\n"
			      "tether_tasks{status=\"STOPPED\"} 0\n");
	ASSERT_CONTAINS(text, "tether_node_pressure_some_percent{resource=\"cpu\",window=\"10\"} 1.25\n");
	ASSERT_TRUE(!strstr(text, "resource=\"memory\"")); /* no PSI known: no sample */
	ASSERT_CONTAINS(text, "\ntether_node_health_ok 0\n");
	ASSERT_CONTAINS(text, "tether_node_self_check_ok{check=\"IMAGE_STORE\"} 0\n");
	ASSERT_CONTAINS(text, "tether_node_self_check_ok{check=\"STATE_STORE\"} 1\n");
	ASSERT_CONTAINS(text, "# TYPE tether_container_cpu_usage_usec_total counter\n"
			      "tether_container_cpu_usage_usec_total{task_arn=\"arn:task/1\","
			      "container=\"web \\\"1\\\"\"} 9000\n");
	ASSERT_CONTAINS(text, "tether_container_memory_current_bytes{task_arn=\"arn:task/1\"");
	ASSERT_TRUE(!strstr(text, "tether_container_pids{")); /* not sampled: not shown */
	free(text);
}

/* The node's text read by Prometheus' own parser (Debian's python3-prometheus-client), which
 * refuses text that is not valid exposition. Run from the source tree's top, as tests/run.sh
 * does. */
TEST(agent_text_parses_with_the_reference_parser)
{
	if (access("tests/metrics-check.py", R_OK) < 0 ||
	    system("/usr/bin/python3 -c 'import prometheus_client' 2>/dev/null") != 0) {
		test_skip("no tests/metrics-check.py here, or no python3-prometheus-client");
		return;
	}
	struct node_health h;
	node_health_init(&h, 0);
	h.facts.io = (struct pressure){ .known = true, .some_avg300 = 0.5 };
	h.facts.state_disk_known = true;
	h.facts.state_free_bytes = 1u << 30;
	struct health_check_result round[HEALTH_CHECK_COUNT];
	for (int i = 0; i < HEALTH_CHECK_COUNT; i++)
		round[i] = (struct health_check_result){ .ok = true };
	health_verdict_record(&h.verdict, round, 1);
	struct metrics_sample s[2] = { sample("a\\b\"c\nd", 3), sample("b", 4) };
	char *text = NULL;
	struct task_status_counts tasks = { .running = 2 };
	ASSERT_INT_EQ(agent_metrics_text(&h, &tasks, s, 2, &text), 0);
	metrics_sample_release(&s[0]);
	metrics_sample_release(&s[1]);
	char in[600], out[600], cmd[1400];
	snprintf(in, sizeof(in), "%s/agent.prom", test_tmpdir());
	snprintf(out, sizeof(out), "%s/agent.json", test_tmpdir());
	FILE *f = fopen(in, "we");
	ASSERT_TRUE(f != NULL);
	fputs(text, f);
	fclose(f);
	free(text);
	snprintf(cmd, sizeof(cmd), "/usr/bin/python3 tests/metrics-check.py <'%s' >'%s'", in, out);
	ASSERT_INT_EQ(system(cmd), 0);
	char *parsed = NULL;
	f = fopen(out, "re");
	ASSERT_TRUE(f != NULL);
	size_t size = 0;
	ASSERT_TRUE(getdelim(&parsed, &size, '\0', f) > 0);
	fclose(f);
	ASSERT_CONTAINS(parsed, "\"name\": \"tether_container_cpu_usage_usec_total\", \"labels\": "
				"{\"task_arn\": \"arn:task/1\", \"container\": \"a\\\\b\\\"c\\nd\"}, "
				"\"value\": 3000.0");
	ASSERT_CONTAINS(parsed, "\"name\": \"tether_node_pressure_some_percent\", \"labels\": "
				"{\"resource\": \"io\", \"window\": \"300\"}, \"value\": 0.5");
	ASSERT_CONTAINS(parsed, "\"name\": \"tether_node_health_ok\", \"labels\": {}, \"value\": 1.0");
	free(parsed);
}
