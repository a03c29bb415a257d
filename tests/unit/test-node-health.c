/* Node health: the verdict's rules, the /proc parsers, the state database's write probe
 * (against a file system really made read-only, in a mount namespace of the test's own), the
 * image budget check, and the hub's stamping and ECS view of a report. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "agent/health/health_verdict.h"
#include "agent/health/node_facts.h"
#include "agent/health/self_checks.h"
#include "agent/state/store.h"
#include "common/cleanup.h"
#include "hub/node_health.h"
#include "protocol/json_value.h"
#include "tests/unit/test.h"

static void all_ok(struct health_check_result round[HEALTH_CHECK_COUNT])
{
	for (int i = 0; i < HEALTH_CHECK_COUNT; i++)
		round[i] = (struct health_check_result){ .ok = true };
}

TEST(verdict_before_any_round_is_insufficient_data)
{
	struct health_verdict v = { 0 };
	ASSERT_STR_EQ(health_verdict_status(&v), "INSUFFICIENT_DATA");
	ASSERT_TRUE(!health_verdict_ok(&v));
}

TEST(verdict_ok_until_one_check_fails_then_impaired_with_its_reason)
{
	struct health_verdict v = { 0 };
	struct health_check_result round[HEALTH_CHECK_COUNT];
	all_ok(round);
	ASSERT_TRUE(health_verdict_record(&v, round, 100));
	ASSERT_STR_EQ(health_verdict_status(&v), "OK");
	ASSERT_TRUE(!health_verdict_record(&v, round, 115)); /* nothing new */
	ASSERT_INT_EQ(v.changed_at[HEALTH_STATE_STORE], 100);

	round[HEALTH_STATE_STORE].ok = false;
	snprintf(round[HEALTH_STATE_STORE].reason, HEALTH_REASON_MAX, "state database X read-only");
	ASSERT_TRUE(health_verdict_record(&v, round, 130));
	ASSERT_STR_EQ(health_verdict_status(&v), "IMPAIRED");
	ASSERT_INT_EQ(v.changed_at[HEALTH_STATE_STORE], 130);
	ASSERT_INT_EQ(v.changed_at[HEALTH_CGROUP_TREE], 100);
	char reason[2048];
	health_verdict_reason(&v, reason, sizeof(reason));
	ASSERT_STR_EQ(reason, "state database X read-only");

	/* The same failure with another reason is news too; the change time stays. */
	snprintf(round[HEALTH_STATE_STORE].reason, HEALTH_REASON_MAX, "state database X full");
	ASSERT_TRUE(health_verdict_record(&v, round, 145));
	ASSERT_INT_EQ(v.changed_at[HEALTH_STATE_STORE], 130);

	all_ok(round);
	ASSERT_TRUE(health_verdict_record(&v, round, 160));
	ASSERT_STR_EQ(health_verdict_status(&v), "OK");
	health_verdict_reason(&v, reason, sizeof(reason));
	ASSERT_STR_EQ(reason, "");
}

TEST(verdict_json_names_every_check_and_the_failing_reason)
{
	struct health_verdict v = { 0 };
	struct health_check_result round[HEALTH_CHECK_COUNT];
	all_ok(round);
	round[HEALTH_IMAGE_STORE].ok = false;
	snprintf(round[HEALTH_IMAGE_STORE].reason, HEALTH_REASON_MAX, "over budget");
	health_verdict_record(&v, round, 1);
	_cleanup_(cjson_deletep) cJSON *j = health_verdict_json(&v);
	_cleanup_free_ char *text = cJSON_PrintUnformatted(j);
	ASSERT_CONTAINS(text, "\"status\":\"IMPAIRED\"");
	ASSERT_CONTAINS(text, "\"reason\":\"over budget\"");
	ASSERT_CONTAINS(text, "{\"type\":\"STATE_STORE\",\"status\":\"OK\"}");
	ASSERT_CONTAINS(text, "{\"type\":\"IMAGE_STORE\",\"status\":\"IMPAIRED\",\"reason\":\"over budget\"}");
}

TEST(pressure_parsed_and_its_absence_said)
{
	struct pressure p = { 0 };
	ASSERT_TRUE(node_facts_parse_pressure("some avg10=1.50 avg60=0.25 avg300=0.00 total=123\n"
					      "full avg10=0.00 avg60=0.00 avg300=0.00 total=0\n",
					      &p));
	ASSERT_TRUE(p.known && p.some_avg10 == 1.5 && p.some_avg60 == 0.25);
	ASSERT_TRUE(!node_facts_parse_pressure(NULL, &p));
	ASSERT_TRUE(!node_facts_parse_pressure("garbage", &p));
	struct node_facts f = { 0 };
	_cleanup_(cjson_deletep) cJSON *j = node_facts_json(&f);
	_cleanup_free_ char *text = cJSON_PrintUnformatted(j);
	ASSERT_CONTAINS(text, "\"pressure\":{\"cpu\":null,\"memory\":null,\"io\":null}");
	ASSERT_CONTAINS(text, "\"state_disk\":null");
}

TEST(meminfo_parsed)
{
	uint64_t total = 0, avail = 0;
	ASSERT_TRUE(node_facts_parse_meminfo("MemTotal:       8000 kB\nMemFree:   10 kB\n"
					     "MemAvailable:    4000 kB\n", &total, &avail));
	ASSERT_TRUE(total == 8000 * 1024 && avail == 4000 * 1024);
	ASSERT_TRUE(!node_facts_parse_meminfo("MemTotal: 1 kB\n", &total, &avail));
}

TEST(facts_of_this_host_are_read)
{
	struct node_facts f;
	node_facts_collect(test_tmpdir(), &f);
	ASSERT_TRUE(f.uptime_s > 0);
	ASSERT_TRUE(f.mem_total_bytes > 0 && f.mem_available_bytes <= f.mem_total_bytes);
	ASSERT_TRUE(f.state_disk_known && f.state_total_bytes > 0);
}

TEST(image_budget_check)
{
	struct health_check_result r;
	self_check_image_budget(5u << 20, 0, "/s/images", &r);
	ASSERT_TRUE(r.ok);
	self_check_image_budget(5u << 20, 8u << 20, "/s/images", &r);
	ASSERT_TRUE(r.ok);
	self_check_image_budget(9u << 20, 8u << 20, "/s/images", &r);
	ASSERT_TRUE(!r.ok);
	ASSERT_CONTAINS(r.reason, "image store /s/images holds 9 MiB, over its budget of 8 MiB");
	ASSERT_CONTAINS(r.reason, "TETHER_IMAGE_STORE_BUDGET");
}

TEST(store_probe_writes_and_refuses_with_writes_pending)
{
	char path[512];
	snprintf(path, sizeof(path), "%s/state.db", test_tmpdir());
	struct store *s = NULL;
	ASSERT_INT_EQ(store_open(path, false, &s, NULL), 0);
	struct error err = { 0 };
	ASSERT_INT_EQ(store_write_probe(s, &err), 0);
	char *v = NULL;
	ASSERT_INT_EQ(store_meta_get(s, "health_probe", &v, NULL), 0);
	ASSERT_TRUE(v != NULL);
	store_defer_commits(s);
	ASSERT_INT_EQ(store_task_add(s, "arn:t", "{}", NULL), 1);
	ASSERT_INT_EQ(store_write_probe(s, &err), -EBUSY);
	ASSERT_INT_EQ(store_commit(s, NULL), 0);
	ASSERT_INT_EQ(store_write_probe(s, &err), 0);
	store_close(s);
	free(v);
	v = NULL;
}

/* In a child with a mount namespace of its own (nothing of the host's mounts changes): a
 * state database on a small tmpfs that then fills up fails the probe, and the check's reason
 * names the file and the fix. (A file system cannot be remounted read-only under an open
 * database: the kernel refuses while files are open for writing; the VM test reaches that
 * state through the device.) Exit status: 0 as expected. */
static int probe_full_disk_child(const char *dir)
{
	char path[600], filler[600];
	snprintf(path, sizeof(path), "%s/state.db", dir);
	snprintf(filler, sizeof(filler), "%s/filler", dir);
	struct store *s = NULL;
	if (store_open(path, false, &s, NULL) < 0 || store_write_probe(s, NULL) < 0)
		return 3;
	FILE *f = fopen(filler, "we");
	static char block[4096];
	while (f && fwrite(block, 1, sizeof(block), f) == sizeof(block))
		;
	if (f)
		fclose(f);
	/* Rows of a size that no free room in the file's pages can take. */
	char big[8192];
	memset(big, 'x', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	for (int i = 0; i < 8; i++)
		(void)store_meta_set(s, i % 2 ? "a" : "b", big, NULL);
	struct self_check_context c = { .state_dir = dir, .store = s };
	struct health_check_result round[HEALTH_CHECK_COUNT];
	self_checks_run(&c, true, round);
	store_close(s);
	if (round[HEALTH_STATE_STORE].ok)
		return 4;
	if (!strstr(round[HEALTH_STATE_STORE].reason, path) ||
	    !strstr(round[HEALTH_STATE_STORE].reason, "database or disk is full") ||
	    !strstr(round[HEALTH_STATE_STORE].reason, "is full; free space on it"))
		return 5;
	return 0;
}

static void probe_full_disk(const char *dir)
{
	ASSERT_INT_EQ(probe_full_disk_child(dir), 0);
}

TEST(store_probe_fails_on_a_full_file_system_naming_file_and_fix)
{
	char dir[512];
	snprintf(dir, sizeof(dir), "%s/full-state", test_tmpdir());
	ASSERT_INT_EQ(mkdir(dir, 0700), 0);
	test_in_private_tmpfs(dir, "size=1m", probe_full_disk);
}

TEST(hub_stamps_checks_with_its_clock_and_keeps_the_change_time)
{
	char why[256] = "";
	_cleanup_(cjson_deletep) cJSON *first_in = cJSON_Parse(
		"{\"status\":\"OK\",\"checks\":[{\"type\":\"STATE_STORE\",\"status\":\"OK\"},"
		"{\"type\":\"IMAGE_STORE\",\"status\":\"OK\"}],\"facts\":{\"uptime_seconds\":5}}");
	_cleanup_(cjson_deletep) cJSON *first = node_health_merge(first_in, NULL, 1000, why, sizeof(why));
	ASSERT_TRUE(first != NULL);
	_cleanup_(cjson_deletep) cJSON *second_in = cJSON_Parse(
		"{\"status\":\"IMPAIRED\",\"reason\":\"r\",\"checks\":[{\"type\":\"STATE_STORE\","
		"\"status\":\"IMPAIRED\",\"reason\":\"state database /s/state.db cannot be written\"},"
		"{\"type\":\"IMAGE_STORE\",\"status\":\"OK\"}]}");
	_cleanup_(cjson_deletep) cJSON *second = node_health_merge(second_in, first, 1060, why, sizeof(why));
	ASSERT_TRUE(second != NULL);
	_cleanup_free_ char *text = cJSON_PrintUnformatted(second);
	ASSERT_CONTAINS(text, "{\"type\":\"STATE_STORE\",\"status\":\"IMPAIRED\",\"reason\":\"state database /s/state.db cannot be written\",\"updated_at\":1060,\"changed_at\":1060}");
	ASSERT_CONTAINS(text, "{\"type\":\"IMAGE_STORE\",\"status\":\"OK\",\"updated_at\":1060,\"changed_at\":1000}");

	cJSON *view = cJSON_CreateObject();
	node_health_view(text, true, view);
	_cleanup_free_ char *shown = cJSON_PrintUnformatted(view);
	cJSON_Delete(view);
	ASSERT_CONTAINS(shown, "\"healthStatus\":{\"overallStatus\":\"IMPAIRED\",\"details\":[{\"type\":\"STATE_STORE\",\"status\":\"IMPAIRED\",\"lastUpdated\":1060,\"lastStatusChange\":1060}");
	ASSERT_CONTAINS(shown, "\"statusReason\":\"STATE_STORE: state database /s/state.db cannot be written\"");

	view = cJSON_CreateObject();
	node_health_view(text, false, view);
	_cleanup_free_ char *offline = cJSON_PrintUnformatted(view);
	cJSON_Delete(view);
	ASSERT_CONTAINS(offline, "\"overallStatus\":\"INSUFFICIENT_DATA\"");
}

TEST(hub_refuses_bad_health_naming_the_field)
{
	const char *bad[] = {
		"[]",
		"{\"status\":\"FINE\",\"checks\":[]}",
		"{\"status\":\"OK\"}",
		"{\"status\":\"OK\",\"checks\":[{\"type\":\"lower\",\"status\":\"OK\"}]}",
		"{\"status\":\"OK\",\"checks\":[{\"type\":\"X\",\"status\":\"MEH\"}]}",
		"{\"status\":\"OK\",\"checks\":[{\"type\":\"X\",\"status\":\"OK\",\"reason\":5}]}",
		"{\"status\":\"OK\",\"checks\":[],\"facts\":[1]}",
	};
	const char *field[] = { "health.status", "health.status", "health.checks",
				"health.checks[].type", "health.checks[] X", "health.checks[] X",
				"health.facts" };
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		char why[256] = "";
		_cleanup_(cjson_deletep) cJSON *in = cJSON_Parse(bad[i]);
		_cleanup_(cjson_deletep) cJSON *out = node_health_merge(in, NULL, 1, why, sizeof(why));
		ASSERT_TRUE(out == NULL);
		ASSERT_CONTAINS(why, field[i]);
	}
	char why[256] = "";
	ASSERT_TRUE(node_health_merge(NULL, NULL, 1, why, sizeof(why)) == NULL);
	cJSON *view = cJSON_CreateObject();
	node_health_view(NULL, true, view);
	_cleanup_free_ char *shown = cJSON_PrintUnformatted(view);
	cJSON_Delete(view);
	ASSERT_STR_EQ(shown, "{\"healthStatus\":{\"overallStatus\":\"INSUFFICIENT_DATA\",\"details\":[]}}");
}
