/* placement-cost: what RunTask's placement costs on a large cluster, in-process, against a
 * hub store on disk: N nodes over 100 sites (a custom attribute), one task of the family on
 * each, then RunTask of 10 tasks without constraints (the batch's path), with a memberOf on
 * the site, with distinctInstance, and with spread by site then binpack on memory. Each task
 * placed is stopped again, so every call sees the same cluster.
 *
 *   placement-cost [-n NODES] [-r ROUNDS] DB_PATH
 *
 * Prints "LABEL median_ms p90_ms" lines. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "common/parse.h"
#include "hub/api.h"

#define RUN_TASK "AmazonEC2ContainerServiceV20141113.RunTask"

static double now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

static int by_value(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return (x > y) - (x < y);
}

static int fill(struct hub_store *s, uint64_t nodes)
{
	struct error err = { 0 };
	char sql[512];
	if (hub_store_begin(s, &err) < 0)
		return -1;
	for (uint64_t i = 0; i < nodes; i++) {
		snprintf(sql, sizeof(sql),
			 "INSERT INTO nodes(node_id, instance_id, cluster, public_key, cpu, memory,"
			 " attributes, registered_at, connected) VALUES('mi-%05llu', 'i%05llu',"
			 " 'default', 'k', 8192, 16384, '{\"ecs.cpu-architecture\":\"x86_64\","
			 "\"ecs.os-type\":\"linux\"}', %llu, 1)",
			 (unsigned long long)i, (unsigned long long)i, (unsigned long long)i);
		char site[32];
		snprintf(site, sizeof(site), "s%02llu", (unsigned long long)(i % 100));
		char node[32];
		snprintf(node, sizeof(node), "mi-%05llu", (unsigned long long)i);
		if (hub_store_exec_text(s, sql, &err, 0) < 0 ||
		    hub_store_exec_text(s, "INSERT INTO node_attributes VALUES(?, 'site', ?)", &err, 2,
					node, site) < 0)
			return -1;
		snprintf(sql, sizeof(sql),
			 "INSERT INTO tasks(id, cluster, family, revision, node_id, cpu, memory,"
			 " last_status, desired_status, created_at) VALUES('t%05llu', 'default', 'f', 1,"
			 " 'mi-%05llu', 10, 10, 'RUNNING', 'RUNNING', 0)",
			 (unsigned long long)i, (unsigned long long)i);
		if (hub_store_exec_text(s, sql, &err, 0) < 0)
			return -1;
	}
	return hub_store_commit(s, &err);
}

static void measure(struct hub_store *s, const char *label, const char *body, int rounds)
{
	double *ms = calloc((size_t)rounds, sizeof(double));
	int placed = 0;
	for (int r = 0; ms && r < rounds; r++) {
		char *answer = NULL;
		double t0 = now_ms();
		int status = api_dispatch(s, RUN_TASK, body, strlen(body), &answer);
		ms[r] = now_ms() - t0;
		if (status == 200 && answer)
			for (const char *p = answer; (p = strstr(p, "\"containerInstanceArn\"")); p++)
				placed++;
		free(answer);
		/* Stopped at once, so that the next call meets the same cluster. */
		hub_store_exec_text(s, "UPDATE tasks SET last_status = 'STOPPED' WHERE id NOT LIKE 't%'",
				    NULL, 0);
	}
	if (!ms)
		return;
	qsort(ms, (size_t)rounds, sizeof(double), by_value);
	printf("%-44s %8.2f %8.2f   (%d tasks placed)\n", label, ms[rounds / 2],
	       ms[rounds * 9 / 10], placed);
	free(ms);
}

int main(int argc, char **argv)
{
	uint64_t nodes = 10000, rounds = 20;
	int c;
	while ((c = getopt(argc, argv, "n:r:")) != -1) {
		if ((c == 'n' && parse_u64(optarg, 1, 100000, &nodes) < 0) ||
		    (c == 'r' && parse_u64(optarg, 1, 1000, &rounds) < 0) || (c != 'n' && c != 'r')) {
			fprintf(stderr, "usage: placement-cost [-n NODES] [-r ROUNDS] DB_PATH\n");
			return 2;
		}
	}
	if (optind + 1 != argc) {
		fprintf(stderr, "usage: placement-cost [-n NODES] [-r ROUNDS] DB_PATH\n");
		return 2;
	}
	struct hub_store *s = NULL;
	struct error err = { 0 };
	if (hub_store_open(argv[optind], &s, &err) < 0 || fill(s, nodes) < 0) {
		fprintf(stderr, "placement-cost: %s\n", err.message);
		return 1;
	}
	char *answer = NULL;
	const char *td = "{\"family\":\"f\",\"containerDefinitions\":[{\"name\":\"c\",\"image\":\"i\","
			 "\"cpu\":10,\"memory\":10}]}";
	api_dispatch(s, "AmazonEC2ContainerServiceV20141113.RegisterTaskDefinition", td, strlen(td),
		     &answer);
	free(answer);
	printf("%llu nodes, RunTask of 10 tasks, %llu calls each     median_ms   p90_ms\n",
	       (unsigned long long)nodes, (unsigned long long)rounds);
	int n = (int)rounds;
	measure(s, "no constraint (the batch's path)", "{\"taskDefinition\":\"f\",\"count\":10}", n);
	measure(s, "memberOf attribute:site == s07",
		"{\"taskDefinition\":\"f\",\"count\":10,\"placementConstraints\":[{\"type\":"
		"\"memberOf\",\"expression\":\"attribute:site == s07\"}]}", n);
	measure(s, "distinctInstance (group g)",
		"{\"taskDefinition\":\"f\",\"count\":10,\"group\":\"g\",\"placementConstraints\":"
		"[{\"type\":\"distinctInstance\"}]}", n);
	measure(s, "spread attribute:site, binpack memory",
		"{\"taskDefinition\":\"f\",\"count\":10,\"placementStrategy\":[{\"type\":\"spread\","
		"\"field\":\"attribute:site\"},{\"type\":\"binpack\",\"field\":\"memory\"}]}", n);
	hub_store_close(s);
	return 0;
}
