/* Node identity files: modes and round trip. Host facts: /proc/meminfo parsing. */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "agent/link/hostinfo.h"
#include "agent/link/identity.h"
#include "tests/unit/test.h"

static const struct identity sample = {
	.node_id = "mi-0123456789abcdef0",
	.container_instance_arn = "arn:aws:ecs:local:000000000000:container-instance/c/abc",
	.cluster = "c",
	.hub_url = "http://127.0.0.1:8080",
	.connect_url = "ws://127.0.0.1:8080/v1/connect",
	.private_key_pem = "-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n",
};

static mode_t mode_of(const char *path)
{
	struct stat st;
	if (stat(path, &st) < 0)
		return (mode_t)-1;
	return st.st_mode & 07777;
}

TEST(identity_files_are_private)
{
	char dir[512], path[600];
	snprintf(dir, sizeof(dir), "%s/state/nested", test_tmpdir());
	ASSERT_INT_EQ(identity_save(dir, &sample, NULL), 0);
	ASSERT_INT_EQ(mode_of(dir), 0700);
	snprintf(path, sizeof(path), "%s/%s", dir, IDENTITY_FILE);
	ASSERT_INT_EQ(mode_of(path), 0600);
	snprintf(path, sizeof(path), "%s/%s", dir, IDENTITY_KEY_FILE);
	ASSERT_INT_EQ(mode_of(path), 0600);
}

TEST(identity_tightens_an_existing_dir)
{
	char dir[512];
	snprintf(dir, sizeof(dir), "%s/open", test_tmpdir());
	ASSERT_INT_EQ(mkdir(dir, 0755), 0);
	ASSERT_INT_EQ(identity_save(dir, &sample, NULL), 0);
	ASSERT_INT_EQ(mode_of(dir), 0700);
}

TEST(identity_round_trip)
{
	char dir[512];
	snprintf(dir, sizeof(dir), "%s/state", test_tmpdir());
	ASSERT_TRUE(!identity_exists(dir));
	ASSERT_INT_EQ(identity_save(dir, &sample, NULL), 0);
	ASSERT_TRUE(identity_exists(dir));
	struct identity got = { 0 };
	struct error err = { 0 };
	ASSERT_INT_EQ(identity_load(dir, &got, &err), 0);
	ASSERT_STR_EQ(got.node_id, sample.node_id);
	ASSERT_STR_EQ(got.container_instance_arn, sample.container_instance_arn);
	ASSERT_STR_EQ(got.cluster, sample.cluster);
	ASSERT_STR_EQ(got.hub_url, sample.hub_url);
	ASSERT_STR_EQ(got.connect_url, sample.connect_url);
	ASSERT_STR_EQ(got.private_key_pem, sample.private_key_pem);
	ASSERT_TRUE(got.ca_file == NULL);
	identity_release(&got);

	struct identity with_ca = sample;
	with_ca.ca_file = "/etc/tether/hub-ca.pem";
	ASSERT_INT_EQ(identity_save(dir, &with_ca, NULL), 0);
	ASSERT_INT_EQ(identity_load(dir, &got, &err), 0);
	ASSERT_STR_EQ(got.ca_file, "/etc/tether/hub-ca.pem");
	identity_release(&got);
}

TEST(identity_load_without_registration_says_so)
{
	struct identity got = { 0 };
	struct error err = { 0 };
	ASSERT_INT_EQ(identity_load(test_tmpdir(), &got, &err), -ENOENT);
	ASSERT_CONTAINS(err.message, "not registered");
}

/* tether deregister: the identity is moved aside, put back when the node stays, removed with
 * its key when it leaves; each step is harmless once done. */
TEST(identity_leaving_moves_aside_then_back_or_away)
{
	char dir[512], key[600];
	snprintf(dir, sizeof(dir), "%s/leaving", test_tmpdir());
	snprintf(key, sizeof(key), "%s/%s", dir, IDENTITY_KEY_FILE);
	ASSERT_INT_EQ(identity_save(dir, &sample, NULL), 0);
	struct error err = { 0 };
	ASSERT_INT_EQ(identity_begin_leaving(dir, &err), 0);
	ASSERT_TRUE(!identity_exists(dir));
	ASSERT_INT_EQ(identity_begin_leaving(dir, &err), 1);
	struct identity got = { 0 };
	ASSERT_INT_EQ(identity_load_from(dir, IDENTITY_LEAVING_FILE, &got, &err), 0);
	ASSERT_STR_EQ(got.node_id, sample.node_id);
	identity_release(&got);

	ASSERT_INT_EQ(identity_cancel_leaving(dir, &err), 0);
	ASSERT_TRUE(identity_exists(dir));

	ASSERT_INT_EQ(identity_begin_leaving(dir, &err), 0);
	ASSERT_INT_EQ(identity_remove_leaving(dir, &err), 0);
	ASSERT_TRUE(!identity_exists(dir));
	ASSERT_INT_EQ(mode_of(key), (mode_t)-1);
	ASSERT_INT_EQ(identity_load_from(dir, IDENTITY_LEAVING_FILE, &got, &err), -ENOENT);
	ASSERT_INT_EQ(identity_remove_leaving(dir, &err), 0);
}

TEST(hostinfo_parses_meminfo)
{
	uint64_t mib = 0;
	ASSERT_INT_EQ(hostinfo_parse_meminfo("MemTotal:        8008812 kB\nMemFree: 1 kB\n", &mib), 0);
	ASSERT_INT_EQ(mib, 7821);
	ASSERT_INT_EQ(hostinfo_parse_meminfo("MemFree: 1 kB\nMemTotal: 2048 kB\n", &mib), 0);
	ASSERT_INT_EQ(mib, 2);
}

TEST(hostinfo_names_architectures_as_ecs)
{
	ASSERT_STR_EQ(hostinfo_ecs_architecture("aarch64"), "arm64");
	ASSERT_STR_EQ(hostinfo_ecs_architecture("x86_64"), "x86_64");
	ASSERT_STR_EQ(hostinfo_ecs_architecture("riscv64"), "riscv64");
	struct hostinfo h = { .arch = (char *)"aarch64", .kernel = (char *)"6.1",
			      .cgroup_controllers = (char *)"cpu" };
	cJSON *a = hostinfo_attributes_json(&h);
	ASSERT_TRUE(a);
	ASSERT_STR_EQ(cJSON_GetStringValue(cJSON_GetObjectItem(a, "ecs.cpu-architecture")), "arm64");
	ASSERT_STR_EQ(cJSON_GetStringValue(cJSON_GetObjectItem(a, "ecs.os-family")), "LINUX");
	ASSERT_STR_EQ(cJSON_GetStringValue(cJSON_GetObjectItem(a, "tether.machine")), "aarch64");
	cJSON_Delete(a);
}

TEST(hostinfo_refuses_bad_meminfo)
{
	uint64_t mib = 42;
	ASSERT_INT_EQ(hostinfo_parse_meminfo("MemFree: 1 kB\n", &mib), -ENOENT);
	ASSERT_INT_EQ(hostinfo_parse_meminfo("", &mib), -ENOENT);
	ASSERT_INT_EQ(hostinfo_parse_meminfo("MemTotal: lots kB\n", &mib), -EINVAL);
	ASSERT_INT_EQ(hostinfo_parse_meminfo("MemTotal: 100 MB\n", &mib), -EINVAL);
	ASSERT_INT_EQ(hostinfo_parse_meminfo("MemTotal: 99999999999999999999 kB\n", &mib), -EINVAL);
	ASSERT_INT_EQ(mib, 42);
}

TEST(hostinfo_collects_this_host)
{
	struct hostinfo h = { 0 };
	struct error err = { 0 };
	ASSERT_INT_EQ(hostinfo_collect(&h, &err), 0);
	ASSERT_TRUE(h.cpu_units >= 1024 && h.cpu_units % 1024 == 0);
	ASSERT_TRUE(h.memory_mib > 0);
	cJSON *attrs = hostinfo_attributes_json(&h);
	ASSERT_TRUE(attrs);
	ASSERT_STR_EQ(cJSON_GetObjectItem(attrs, "ecs.os-type")->valuestring, "linux");
	ASSERT_TRUE(cJSON_IsString(cJSON_GetObjectItem(attrs, "tether.cgroup-controllers")));
	cJSON_Delete(attrs);
	hostinfo_release(&h);
}
