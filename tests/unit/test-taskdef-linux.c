#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>

#include "common/cleanup.h"
#include "protocol/taskdef.h"
#include "tests/unit/test.h"

/* A minimal definition with FIELDS spliced into its one container. */
static int parse_container(const char *fields, struct taskdef **ret, struct error *err)
{
	char text[4096];
	snprintf(text, sizeof(text),
		 "{\"family\": \"f\", \"containerDefinitions\": [{\"name\": \"a\", \"image\": \"i\", %s}]}",
		 fields);
	return taskdef_parse(text, strlen(text), ret, err);
}

/* The error message for FIELDS (static), or NULL when they parsed. */
static const char *container_error(const char *fields)
{
	static struct error err;
	struct taskdef *td = NULL;
	error_clear(&err);
	if (parse_container(fields, &td, &err) == 0) {
		taskdef_free(td);
		return NULL;
	}
	return err.message;
}

TEST(taskdef_linux_parameters_parsed)
{
	struct error err = { 0 };
	_cleanup_(taskdef_freep) struct taskdef *td = NULL;
	int r = parse_container(
		"\"linuxParameters\": {\"capabilities\": {\"add\": [\"SYS_ADMIN\", \"CAP_NET_ADMIN\"],"
		" \"drop\": [\"MKNOD\"]}, \"initProcessEnabled\": true, \"sharedMemorySize\": 128,"
		" \"tmpfs\": [{\"containerPath\": \"/run\", \"size\": 64,"
		"   \"mountOptions\": [\"noexec\", \"mode=1777\", \"uid=1000\"]},"
		"  {\"containerPath\": \"/scratch\", \"size\": 1}]}", &td, &err);
	if (r < 0)
		test_fail_at(__FILE__, __LINE__, "%s", err.message);
	ASSERT_INT_EQ(r, 0);
	const struct taskdef_linux *l = &td->containers[0].linux_parameters;
	ASSERT_INT_EQ(l->capabilities.add, (1ULL << 21) | (1ULL << 12));
	ASSERT_INT_EQ(l->capabilities.drop, 1ULL << 27);
	ASSERT_TRUE(!l->capabilities.add_all && !l->capabilities.drop_all);
	ASSERT_TRUE(l->init_process_enabled);
	ASSERT_INT_EQ(l->shared_memory_size_mib, 128);
	ASSERT_INT_EQ(l->n_tmpfs, 2);
	ASSERT_STR_EQ(l->tmpfs[0].container_path, "/run");
	ASSERT_INT_EQ(l->tmpfs[0].size_mib, 64);
	ASSERT_STR_EQ(l->tmpfs[0].mount_options[1], "mode=1777");
	ASSERT_TRUE(l->tmpfs[0].mount_options[3] == NULL);
	ASSERT_TRUE(l->tmpfs[1].mount_options == NULL);
}

TEST(taskdef_linux_absent_is_zero)
{
	struct error err = { 0 };
	_cleanup_(taskdef_freep) struct taskdef *td = NULL;
	ASSERT_INT_EQ(parse_container("\"cpu\": 1", &td, &err), 0);
	const struct taskdef_container *c = &td->containers[0];
	ASSERT_INT_EQ(c->linux_parameters.capabilities.add, 0);
	ASSERT_TRUE(!c->linux_parameters.init_process_enabled);
	ASSERT_INT_EQ(c->linux_parameters.n_tmpfs, 0);
	ASSERT_INT_EQ(c->linux_parameters.shared_memory_size_mib, 0);
	ASSERT_TRUE(c->ulimits == NULL && c->n_ulimits == 0);
}

TEST(taskdef_capabilities_all_and_names)
{
	struct error err = { 0 };
	_cleanup_(taskdef_freep) struct taskdef *td = NULL;
	ASSERT_INT_EQ(parse_container("\"linuxParameters\": {\"capabilities\": {\"drop\": [\"ALL\"],"
				      " \"add\": [\"CHOWN\"]}}", &td, &err), 0);
	ASSERT_TRUE(td->containers[0].linux_parameters.capabilities.drop_all);
	ASSERT_INT_EQ(td->containers[0].linux_parameters.capabilities.add, 1);
	ASSERT_INT_EQ(taskdef_capability_from_name("SYS_PTRACE"), 19);
	ASSERT_INT_EQ(taskdef_capability_from_name("CAP_CHECKPOINT_RESTORE"), 40);
	ASSERT_INT_EQ(taskdef_capability_from_name("sys_admin"), -1);
	ASSERT_INT_EQ(taskdef_capability_from_name("ALL"), -1);
	ASSERT_STR_EQ(taskdef_capability_to_name(21), "SYS_ADMIN");
	ASSERT_TRUE(taskdef_capability_to_name(41) == NULL);
}

TEST(taskdef_linux_refusals)
{
	ASSERT_CONTAINS(container_error("\"linuxParameters\": {\"capabilities\": {\"add\": [\"SYS_WIZARD\"]}}"),
			"linuxParameters.capabilities.add[0]: \"SYS_WIZARD\" is not a Linux capability");
	ASSERT_CONTAINS(container_error("\"linuxParameters\": {\"capabilities\": {\"drop\": [1]}}"),
			"capabilities.drop[0]: expected a string");
	ASSERT_CONTAINS(container_error("\"linuxParameters\": {\"capabilities\": {\"keep\": []}}"),
			"capabilities.keep: field not supported");
	ASSERT_CONTAINS(container_error("\"linuxParameters\": {\"maxSwap\": 10}"),
			"linuxParameters.maxSwap: field not supported");
	ASSERT_CONTAINS(container_error("\"linuxParameters\": {\"swappiness\": 10}"),
			"linuxParameters.swappiness: field not supported");
	ASSERT_CONTAINS(container_error("\"linuxParameters\": {\"initProcessEnabled\": 1}"),
			"initProcessEnabled: expected true or false");
	ASSERT_CONTAINS(container_error("\"linuxParameters\": {\"sharedMemorySize\": 0}"),
			"sharedMemorySize: 0 is outside");
	ASSERT_CONTAINS(container_error("\"linuxParameters\": []"), "linuxParameters");
}

TEST(taskdef_tmpfs_refusals)
{
	ASSERT_CONTAINS(container_error("\"linuxParameters\": {\"tmpfs\": [{\"size\": 1}]}"),
			"tmpfs[0].containerPath: required");
	ASSERT_CONTAINS(container_error("\"linuxParameters\": {\"tmpfs\": [{\"containerPath\": \"/x\"}]}"),
			"tmpfs[0].size: required");
	ASSERT_CONTAINS(container_error("\"linuxParameters\": {\"tmpfs\": [{\"containerPath\": \"x\", \"size\": 1}]}"),
			"tmpfs[0].containerPath: expected an absolute path");
	ASSERT_CONTAINS(container_error("\"linuxParameters\": {\"tmpfs\": [{\"containerPath\": \"/a/../etc\", \"size\": 1}]}"),
			"expected an absolute path");
	ASSERT_CONTAINS(container_error("\"linuxParameters\": {\"tmpfs\": [{\"containerPath\": \"/a\", \"size\": 0}]}"),
			"tmpfs[0].size: 0 is outside");
	ASSERT_CONTAINS(container_error("\"linuxParameters\": {\"tmpfs\": [{\"containerPath\": \"/a\", \"size\": 1},"
					" {\"containerPath\": \"/a\", \"size\": 2}]}"),
			"tmpfs[1].containerPath: \"/a\" is given twice");
	ASSERT_CONTAINS(container_error("\"linuxParameters\": {\"tmpfs\": [{\"containerPath\": \"/a\", \"size\": 1,"
					" \"mountOptions\": [\"bind\"]}]}"),
			"mountOptions[0]: \"bind\" is not a tmpfs mount option");
	ASSERT_CONTAINS(container_error("\"linuxParameters\": {\"tmpfs\": [{\"containerPath\": \"/a\", \"size\": 1,"
					" \"mountOptions\": [\"ro\", \"mode=999\"]}]}"),
			"mountOptions[1]: \"mode=999\"");
	ASSERT_CONTAINS(container_error("\"linuxParameters\": {\"tmpfs\": [{\"containerPath\": \"/a\", \"size\": 1,"
					" \"mountOptions\": [\"size=1g,exec\"]}]}"),
			"is not a tmpfs mount option");
}

TEST(taskdef_tmpfs_dev_refused)
{
	/* A tmpfs is always nodev: "dev" would let a node made there open. */
	ASSERT_CONTAINS(container_error("\"linuxParameters\": {\"tmpfs\": [{\"containerPath\": \"/a\", \"size\": 1,"
					" \"mountOptions\": [\"nodev\", \"dev\"]}]}"),
			"tmpfs[0].mountOptions[1]: \"dev\" is refused: a tmpfs in a container is always nodev");
	ASSERT_TRUE(container_error("\"linuxParameters\": {\"tmpfs\": [{\"containerPath\": \"/a\", \"size\": 1,"
				    " \"mountOptions\": [\"nodev\"]}]}") == NULL);
}

TEST(taskdef_devices_parsed)
{
	struct error err = { 0 };
	_cleanup_(taskdef_freep) struct taskdef *td = NULL;
	int r = parse_container(
		"\"linuxParameters\": {\"devices\": ["
		" {\"hostPath\": \"/dev/ttyS1\"},"
		" {\"hostPath\": \"//dev//serial/by-id/usb-x/\", \"containerPath\": \"/dev/gps\","
		"  \"permissions\": [\"read\"]},"
		" {\"hostPath\": \"/dev/fuse\", \"containerPath\": \"/opt/fuse\","
		"  \"permissions\": [\"mknod\", \"write\"]}]}", &td, &err);
	if (r < 0)
		test_fail_at(__FILE__, __LINE__, "%s", err.message);
	ASSERT_INT_EQ(r, 0);
	const struct taskdef_linux *l = &td->containers[0].linux_parameters;
	ASSERT_INT_EQ(l->n_devices, 3);
	ASSERT_STR_EQ(l->devices[0].host_path, "/dev/ttyS1");
	ASSERT_STR_EQ(l->devices[0].container_path, "/dev/ttyS1");
	ASSERT_INT_EQ(l->devices[0].permissions, TASKDEF_DEVICE_ALL);
	ASSERT_STR_EQ(l->devices[1].host_path, "/dev/serial/by-id/usb-x");
	ASSERT_STR_EQ(l->devices[1].container_path, "/dev/gps");
	ASSERT_INT_EQ(l->devices[1].permissions, TASKDEF_DEVICE_READ);
	ASSERT_INT_EQ(l->devices[2].permissions, TASKDEF_DEVICE_MKNOD | TASKDEF_DEVICE_WRITE);
}

TEST(taskdef_devices_refusals)
{
	ASSERT_CONTAINS(container_error("\"linuxParameters\": {\"devices\": {}}"),
			"linuxParameters.devices: expected an array of {hostPath, containerPath, permissions}");
	ASSERT_CONTAINS(container_error("\"linuxParameters\": {\"devices\": [{}]}"),
			"devices[0].hostPath: required");
	ASSERT_CONTAINS(container_error("\"linuxParameters\": {\"devices\": [{\"hostPath\": \"/dev/../etc/passwd\"}]}"),
			"devices[0].hostPath: \"/dev/../etc/passwd\" must be an absolute path without '.' or '..'");
	ASSERT_CONTAINS(container_error("\"linuxParameters\": {\"devices\": [{\"hostPath\": \"dev/sda\"}]}"),
			"devices[0].hostPath: \"dev/sda\" must be an absolute path");
	ASSERT_CONTAINS(container_error("\"linuxParameters\": {\"devices\": [{\"hostPath\": \"/dev/./sda\"}]}"),
			"must be an absolute path without '.' or '..'");
	ASSERT_CONTAINS(container_error("\"linuxParameters\": {\"devices\": [{\"hostPath\": \"//\"}]}"),
			"devices[0].hostPath: \"/\" is not a device");
	ASSERT_CONTAINS(container_error("\"linuxParameters\": {\"devices\": [{\"hostPath\": \"/dev/sda\","
					" \"containerPath\": \"/proc/sysrq-trigger\"}]}"),
			"devices[0].containerPath: \"/proc/sysrq-trigger\" cannot hold a device");
	ASSERT_CONTAINS(container_error("\"linuxParameters\": {\"devices\": [{\"hostPath\": \"/dev/sda\","
					" \"containerPath\": \"/sys\"}]}"),
			"devices[0].containerPath: \"/sys\" cannot hold a device");
	ASSERT_CONTAINS(container_error("\"linuxParameters\": {\"devices\": [{\"hostPath\": \"/dev/sda\","
					" \"containerPath\": \"/\"}]}"),
			"devices[0].containerPath: \"/\" cannot hold a device");
	ASSERT_CONTAINS(container_error("\"linuxParameters\": {\"devices\": [{\"hostPath\": \"/dev/sda\","
					" \"containerPath\": \"/dev/x\\n\"}]}"),
			"devices[0].containerPath: \"/dev/x\n\" must be an absolute path");
	ASSERT_CONTAINS(container_error("\"linuxParameters\": {\"devices\": [{\"hostPath\": \"/dev/sda\","
					" \"permissions\": []}]}"),
			"devices[0].permissions: expected an array of one or more of");
	ASSERT_CONTAINS(container_error("\"linuxParameters\": {\"devices\": [{\"hostPath\": \"/dev/sda\","
					" \"permissions\": [\"read\", \"execute\"]}]}"),
			"devices[0].permissions[1]: expected \"read\", \"write\" or \"mknod\"");
	ASSERT_CONTAINS(container_error("\"linuxParameters\": {\"devices\": [{\"hostPath\": \"/dev/sda\","
					" \"permissions\": [\"read\", \"read\"]}]}"),
			"devices[0].permissions[1]: \"read\" is given twice");
	ASSERT_CONTAINS(container_error("\"linuxParameters\": {\"devices\": [{\"hostPath\": \"/dev/sda\","
					" \"cgroupPermissions\": \"rwm\"}]}"),
			"devices[0].cgroupPermissions: field not supported");
	ASSERT_CONTAINS(container_error("\"linuxParameters\": {\"devices\": [{\"hostPath\": \"/dev/sda\"},"
					" {\"hostPath\": \"/dev/sdb\", \"containerPath\": \"/dev//sda/\"}]}"),
			"devices[1].containerPath: \"/dev/sda\" is given twice");
	/* A device is a mount: it cannot share its path with a tmpfs or a volume. */
	ASSERT_CONTAINS(container_error("\"linuxParameters\": {\"devices\": [{\"hostPath\": \"/dev/sda\","
					" \"containerPath\": \"/data\"}], \"tmpfs\": [{\"containerPath\": \"/data\","
					" \"size\": 1}]}"),
			"two mounts at \"/data\"");
}

TEST(taskdef_devices_at_most_64)
{
	char fields[8192];
	size_t n = (size_t)snprintf(fields, sizeof(fields), "\"linuxParameters\": {\"devices\": [");
	for (int i = 0; i < 65; i++)
		n += (size_t)snprintf(fields + n, sizeof(fields) - n, "%s{\"hostPath\": \"/dev/d%d\"}",
				      i ? ", " : "", i);
	snprintf(fields + n, sizeof(fields) - n, "]}");
	static char text[10000];
	snprintf(text, sizeof(text),
		 "{\"family\": \"f\", \"containerDefinitions\": [{\"name\": \"a\", \"image\": \"i\", %s}]}",
		 fields);
	struct taskdef *td = NULL;
	struct error err = { 0 };
	ASSERT_INT_EQ(taskdef_parse(text, strlen(text), &td, &err), -EINVAL);
	ASSERT_CONTAINS(err.message, "linuxParameters.devices: more than 64 devices");
}

TEST(taskdef_ulimits_parsed)
{
	struct error err = { 0 };
	_cleanup_(taskdef_freep) struct taskdef *td = NULL;
	int r = parse_container("\"ulimits\": [{\"name\": \"nofile\", \"softLimit\": 1024, \"hardLimit\": 4096},"
				" {\"name\": \"memlock\", \"softLimit\": -1, \"hardLimit\": -1},"
				" {\"name\": \"core\", \"softLimit\": 0, \"hardLimit\": -1}]", &td, &err);
	if (r < 0)
		test_fail_at(__FILE__, __LINE__, "%s", err.message);
	ASSERT_INT_EQ(r, 0);
	const struct taskdef_container *c = &td->containers[0];
	ASSERT_INT_EQ(c->n_ulimits, 3);
	ASSERT_INT_EQ(c->ulimits[0].name, ULIMIT_NOFILE);
	ASSERT_INT_EQ(c->ulimits[0].soft, 1024);
	ASSERT_INT_EQ(c->ulimits[0].hard, 4096);
	ASSERT_TRUE(c->ulimits[1].soft == TASKDEF_ULIMIT_UNLIMITED);
	ASSERT_TRUE(c->ulimits[2].soft == 0 && c->ulimits[2].hard == TASKDEF_ULIMIT_UNLIMITED);
	ASSERT_INT_EQ(taskdef_ulimit_resource(ULIMIT_NOFILE), RLIMIT_NOFILE);
	ASSERT_INT_EQ(taskdef_ulimit_resource(ULIMIT_RTTIME), RLIMIT_RTTIME);
	ASSERT_STR_EQ(taskdef_ulimit_name_to_string(ULIMIT_SIGPENDING), "sigpending");
}

TEST(taskdef_ulimits_refusals)
{
	ASSERT_CONTAINS(container_error("\"ulimits\": [{\"name\": \"as\", \"softLimit\": 1, \"hardLimit\": 1}]"),
			"ulimits[0].name: \"as\" is not one of core");
	ASSERT_CONTAINS(container_error("\"ulimits\": [{\"name\": \"nofile\", \"softLimit\": 10, \"hardLimit\": 5}]"),
			"ulimits[0]: softLimit is more than hardLimit");
	ASSERT_CONTAINS(container_error("\"ulimits\": [{\"name\": \"nofile\", \"softLimit\": -1, \"hardLimit\": 5}]"),
			"softLimit is more than hardLimit");
	ASSERT_CONTAINS(container_error("\"ulimits\": [{\"name\": \"nofile\", \"hardLimit\": 5}]"),
			"ulimits[0].softLimit: required");
	ASSERT_CONTAINS(container_error("\"ulimits\": [{\"name\": \"nofile\", \"softLimit\": -2, \"hardLimit\": 5}]"),
			"ulimits[0].softLimit: expected a non-negative integer or -1");
	ASSERT_CONTAINS(container_error("\"ulimits\": [{\"name\": \"nofile\", \"softLimit\": 1, \"hardLimit\": 1},"
					" {\"name\": \"nofile\", \"softLimit\": 2, \"hardLimit\": 2}]"),
			"ulimits[1].name: \"nofile\" is given twice");
	ASSERT_CONTAINS(container_error("\"ulimits\": [{\"softLimit\": 1, \"hardLimit\": 1}]"),
			"ulimits[0].name: required");
	ASSERT_CONTAINS(container_error("\"ulimits\": {}"), "ulimits: expected an array");
}
