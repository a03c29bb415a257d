/* The hub's metrics: a batch applied once (again after a lost ack: acked, not applied), a new
 * agent run counting from 1, bad frames refused naming the field, and GET /metrics served to
 * loopback only, its figures those of the store and the window. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/cleanup.h"
#include "hub/http_answer.h"
#include "hub/metrics/metrics_window.h"
#include "protocol/json_value.h"
#include "tests/unit/test.h"

/* The hub's clock when a frame arrives. */
static double arrival = 1000;

static int apply(struct metrics_window *w, const char *text, uint64_t *ack, char *why)
{
	_cleanup_(cjson_deletep) cJSON *f = cJSON_Parse(text);
	return metrics_window_apply(w, "mi-1", f, arrival, ack, why, 160);
}

struct seen {
	double at;
	uint64_t cpu;
	size_t points, series;
};

static void latest(void *userdata, const char *node_id, const char *task_arn,
		   const char *container, const struct metrics_point *p, size_t n)
{
	(void)node_id;
	(void)task_arn;
	(void)container;
	struct seen *s = userdata;
	s->at = p->at;
	s->cpu = p->value[CONTAINER_CPU_USAGE_USEC];
	s->points = n;
	s->series++;
}

#define SAMPLE(at, cpu) "{\"task_arn\":\"arn:t\",\"container\":\"app\",\"at\":" #at ",\"cpu_usage_usec\":" #cpu "}"

TEST(batch_applied_once_and_acked_every_time)
{
	arrival = 1000;
	struct metrics_window *w = metrics_window_new();
	uint64_t ack = 0;
	char why[160] = "";
	ASSERT_INT_EQ(apply(w, "{\"run\":\"r1\",\"batch\":1,\"samples\":[" SAMPLE(10, 5) "]}", &ack, why), 0);
	ASSERT_INT_EQ(ack, 1);
	ASSERT_INT_EQ(apply(w, "{\"run\":\"r1\",\"batch\":2,\"samples\":[" SAMPLE(20, 9) "]}", &ack, why), 0);
	/* Batch 1 again (its ack was lost), with figures it never had: acked, not applied. */
	ASSERT_INT_EQ(apply(w, "{\"run\":\"r1\",\"batch\":1,\"samples\":[" SAMPLE(30, 99) "]}", &ack, why), 1);
	ASSERT_INT_EQ(ack, 1);
	struct seen s = { 0 };
	metrics_window_foreach(w, latest, &s);
	ASSERT_TRUE(s.series == 1 && s.points == 2 && s.at == 20 && s.cpu == 9);
	/* A new run of the agent counts from 1 again. */
	ASSERT_INT_EQ(apply(w, "{\"run\":\"r2\",\"batch\":1,\"dropped\":3,\"samples\":[" SAMPLE(40, 2) "]}", &ack, why), 0);
	s = (struct seen){ 0 };
	metrics_window_foreach(w, latest, &s);
	ASSERT_TRUE(s.points == 3 && s.at == 40 && s.cpu == 2);
	ASSERT_INT_EQ(metrics_window_node_dropped(w, "mi-1"), 3);
	/* Another run resending samples the series holds already (a hub that forgot runs). */
	ASSERT_INT_EQ(apply(w, "{\"run\":\"r3\",\"batch\":1,\"samples\":[" SAMPLE(40, 2) "]}", &ack, why), 0);
	s = (struct seen){ 0 };
	metrics_window_foreach(w, latest, &s);
	ASSERT_INT_EQ(s.points, 3);
	metrics_window_expire(w, 1000 + METRICS_WINDOW_SECONDS + 1);
	s = (struct seen){ 0 };
	metrics_window_foreach(w, latest, &s);
	ASSERT_INT_EQ(s.series, 0);
	metrics_window_free(w);
}

TEST(window_keeps_a_bounded_number_of_points)
{
	struct metrics_window *w = metrics_window_new();
	uint64_t ack = 0;
	char why[160], text[256];
	for (int i = 1; i <= METRICS_WINDOW_SAMPLES + 5; i++) {
		snprintf(text, sizeof(text), "{\"run\":\"r\",\"batch\":%d,\"samples\":[{\"task_arn\":"
			 "\"arn:t\",\"container\":\"app\",\"at\":%d}]}", i, i);
		ASSERT_INT_EQ(apply(w, text, &ack, why), 0);
	}
	struct seen s = { 0 };
	metrics_window_foreach(w, latest, &s);
	ASSERT_INT_EQ(s.points, METRICS_WINDOW_SAMPLES);
	ASSERT_TRUE(s.at == METRICS_WINDOW_SAMPLES + 5);
	metrics_window_free(w);
}

TEST(bad_metrics_frames_refused_naming_the_field)
{
	struct metrics_window *w = metrics_window_new();
	const char *bad[] = {
		"{\"run\":\"r\",\"samples\":[]}",
		"{\"run\":\"r\",\"batch\":0,\"samples\":[]}",
		"{\"batch\":1,\"samples\":[]}",
		"{\"run\":\"r\",\"batch\":1,\"dropped\":-1,\"samples\":[]}",
		"{\"run\":\"r\",\"batch\":1,\"samples\":{}}",
		"{\"run\":\"r\",\"batch\":1,\"samples\":[{\"container\":\"a\",\"at\":1}]}",
		"{\"run\":\"r\",\"batch\":1,\"samples\":[{\"task_arn\":\"t\",\"container\":\"a\"}]}",
		"{\"run\":\"r\",\"batch\":1,\"samples\":[{\"task_arn\":\"t\",\"container\":\"a\",\"at\":1,\"pids_current\":1.5}]}",
	};
	const char *field[] = { "batch", "batch", "run", "dropped", "samples", "task_arn",
				"samples[].at", "samples[].pids_current" };
	uint64_t acks[] = { 0, 0, 1, 1, 1, 1, 1, 1 };
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		uint64_t ack = 99;
		char why[160] = "";
		ASSERT_INT_EQ(apply(w, bad[i], &ack, why), -EINVAL);
		ASSERT_CONTAINS(why, field[i]);
		ASSERT_INT_EQ(ack, acks[i]);
	}
	struct seen s = { 0 };
	metrics_window_foreach(w, latest, &s);
	ASSERT_INT_EQ(s.series, 0);
	metrics_window_free(w);
}

static void get_metrics(struct http_front *front, const char *peer, struct http_reply *reply)
{
	struct http_request req = { .is_metrics = true, .body = "" };
	snprintf(req.peer, sizeof(req.peer), "%s", peer);
	http_answer(front, &req, reply);
}

TEST(metrics_served_to_loopback_only_with_the_store_s_figures)
{
	struct http_front front = { 0 };
	ASSERT_INT_EQ(hub_store_open(":memory:", &front.store, NULL), 0);
	front.metrics = metrics_window_new();
	hub_store_exec_text(front.store,
			    "INSERT INTO nodes(node_id, instance_id, cluster, public_key, cpu, memory,"
			    " attributes, registered_at, connected, health) VALUES('mi-1', 'i1',"
			    " 'default', 'k', 2048, 4000, '{}', 0, 1, '{\"status\":\"OK\"}')", NULL, 0);
	uint64_t ack;
	char why[160];
	arrival = hub_now(); /* GET /metrics forgets series older than its window */
	ASSERT_INT_EQ(apply(front.metrics, "{\"run\":\"r\",\"batch\":1,\"samples\":[" SAMPLE(10, 5) "]}", &ack, why), 0);
	api_counters_add(&front.api_counters, "AmazonEC2ContainerServiceV20141113.ListTasks", true, 200);
	api_counters_add(&front.api_counters, "Made.Up", false, 400);

	struct http_reply reply = { 0 };
	get_metrics(&front, "192.0.2.7", &reply);
	ASSERT_INT_EQ(reply.status, 403);
	ASSERT_CONTAINS(reply.body, "loopback");
	http_reply_release(&reply);

	get_metrics(&front, "127.0.0.1", &reply);
	ASSERT_INT_EQ(reply.status, 200);
	ASSERT_CONTAINS(reply.content_type, "text/plain; version=0.0.4");
	ASSERT_CONTAINS(reply.body, "tether_container_instances{cluster=\"default\",status=\"ACTIVE\",connected=\"true\"} 1\n");
	ASSERT_CONTAINS(reply.body, "tether_node_registered_cpu_units{cluster=\"default\",container_instance=\"i1\",node_id=\"mi-1\"} 2048\n");
	ASSERT_CONTAINS(reply.body, "tether_node_remaining_memory_mib{cluster=\"default\",container_instance=\"i1\",node_id=\"mi-1\"} 4000\n");
	ASSERT_CONTAINS(reply.body, "tether_node_health_ok{cluster=\"default\",container_instance=\"i1\",node_id=\"mi-1\"} 1\n");
	ASSERT_CONTAINS(reply.body, "tether_container_cpu_usage_usec_total{node_id=\"mi-1\",task_arn=\"arn:t\",container=\"app\"} 5\n");
	ASSERT_CONTAINS(reply.body, "tether_api_requests_total{operation=\"ListTasks\",status=\"200\"} 1\n");
	ASSERT_CONTAINS(reply.body, "tether_api_requests_total{operation=\"unknown\",status=\"400\"} 1\n");
	http_reply_release(&reply);
	metrics_window_free(front.metrics);
	hub_store_close(front.store);
}
