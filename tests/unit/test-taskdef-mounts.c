/* Storage and name resolution fields of task definitions: volumes, mountPoints, volumesFrom,
 * readonlyRootFilesystem, dnsServers, dnsSearchDomains, extraHosts. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "common/cleanup.h"
#include "protocol/taskdef.h"
#include "protocol/taskdef_dns.h"
#include "protocol/taskdef_mounts.h"
#include "tests/unit/test.h"

/* Parse "{family, volumes: VOLUMES, containerDefinitions: [CONTAINERS]}"; NULL on success
 * (td then set, else freed), the error message otherwise. */
static const char *parse(const char *volumes, const char *containers, struct taskdef **td)
{
	static struct error err;
	static char text[8192];
	error_clear(&err);
	snprintf(text, sizeof(text), "{\"family\": \"f\", %s%s%s \"containerDefinitions\": [%s]}",
		 volumes[0] ? "\"volumes\": " : "", volumes, volumes[0] ? "," : "", containers);
	struct taskdef *parsed = NULL;
	if (taskdef_parse(text, strlen(text), &parsed, &err) < 0)
		return err.message;
	if (td)
		*td = parsed;
	else
		taskdef_free(parsed);
	return NULL;
}

/* One container "a" with FIELDS, and the volumes "data" (host) and "scratch" (task-scoped). */
static const char *container_error(const char *fields)
{
	static char c[4096];
	snprintf(c, sizeof(c), "{\"name\": \"a\", \"image\": \"i\", %s}", fields);
	return parse("[{\"name\": \"data\", \"host\": {\"sourcePath\": \"/srv/data\"}},"
		     " {\"name\": \"scratch\"}]", c, NULL);
}

TEST(mounts_parsed)
{
	_cleanup_(taskdef_freep) struct taskdef *td = NULL;
	const char *e = parse("[{\"name\": \"data\", \"host\": {\"sourcePath\": \"//srv//data/\"}},"
			      " {\"name\": \"scratch\"}, {\"name\": \"empty-host\", \"host\": {}}]",
			      "{\"name\": \"a\", \"image\": \"i\", \"readonlyRootFilesystem\": true,"
			      " \"mountPoints\": [{\"sourceVolume\": \"data\", \"containerPath\": \"/data/\","
			      "  \"readOnly\": true}, {\"sourceVolume\": \"scratch\", \"containerPath\": \"/tmp/s\"}]},"
			      "{\"name\": \"b\", \"image\": \"i\", \"volumesFrom\": [{\"sourceContainer\": \"a\"}]}",
			      &td);
	if (e)
		test_fail_at(__FILE__, __LINE__, "%s", e);
	ASSERT_TRUE(e == NULL);
	ASSERT_INT_EQ(td->n_volumes, 3);
	ASSERT_STR_EQ(td->volumes[0].host_source_path, "/srv/data");
	ASSERT_TRUE(td->volumes[1].host_source_path == NULL);
	ASSERT_TRUE(td->volumes[2].host_source_path == NULL);
	const struct taskdef_container *a = &td->containers[0];
	ASSERT_TRUE(a->readonly_root_filesystem);
	ASSERT_INT_EQ(a->n_mount_points, 2);
	ASSERT_STR_EQ(a->mount_points[0].container_path, "/data");
	ASSERT_TRUE(a->mount_points[0].read_only);
	ASSERT_TRUE(!a->mount_points[1].read_only);
	ASSERT_TRUE(!td->containers[1].readonly_root_filesystem);
	ASSERT_STR_EQ(td->containers[1].volumes_from[0].source_container, "a");
	ASSERT_TRUE(taskdef_find_volume(td, "scratch") == &td->volumes[1]);
	ASSERT_TRUE(taskdef_find_volume(td, "nope") == NULL);
}

struct collected {
	char paths[8][64];
	bool read_only[8];
	size_t n;
};

static int collect(void *userdata, const struct taskdef_mount_point *mp, bool read_only)
{
	struct collected *c = userdata;
	snprintf(c->paths[c->n], sizeof(c->paths[0]), "%s", mp->container_path);
	c->read_only[c->n++] = read_only;
	return 0;
}

TEST(mounts_volumes_from_are_transitive_and_read_only_when_asked)
{
	_cleanup_(taskdef_freep) struct taskdef *td = NULL;
	const char *e = parse("[{\"name\": \"v\"}, {\"name\": \"w\"}]",
			      "{\"name\": \"a\", \"image\": \"i\", \"mountPoints\": ["
			      " {\"sourceVolume\": \"v\", \"containerPath\": \"/v\"}]},"
			      "{\"name\": \"b\", \"image\": \"i\", \"volumesFrom\": [{\"sourceContainer\": \"a\"}],"
			      " \"mountPoints\": [{\"sourceVolume\": \"w\", \"containerPath\": \"/w\", \"readOnly\": true}]},"
			      "{\"name\": \"c\", \"image\": \"i\", \"volumesFrom\": [{\"sourceContainer\": \"b\","
			      " \"readOnly\": true}]}", &td);
	ASSERT_TRUE(e == NULL);
	struct collected got = { 0 };
	ASSERT_INT_EQ(taskdef_container_mounts(td, &td->containers[1], collect, &got), 0);
	ASSERT_INT_EQ(got.n, 2);
	ASSERT_STR_EQ(got.paths[0], "/w");
	ASSERT_TRUE(got.read_only[0]);
	ASSERT_STR_EQ(got.paths[1], "/v");
	ASSERT_TRUE(!got.read_only[1]);
	got = (struct collected){ 0 };
	ASSERT_INT_EQ(taskdef_container_mounts(td, &td->containers[2], collect, &got), 0);
	ASSERT_INT_EQ(got.n, 2);
	ASSERT_TRUE(got.read_only[0] && got.read_only[1]);
}

TEST(mounts_path_normalize)
{
	static const struct { const char *in, *out; } cases[] = {
		{ "/", "/" }, { "/a", "/a" }, { "//a///b/", "/a/b" }, { "/a/.b/c..", "/a/.b/c.." },
		{ "a", NULL }, { "", NULL }, { "/a/../b", NULL }, { "/..", NULL }, { "/./a", NULL },
		{ "/a/.", NULL }, { "/a\nb", NULL },
	};
	for (size_t i = 0; i < ELEMENTSOF(cases); i++) {
		char *out = NULL;
		int r = taskdef_path_normalize(cases[i].in, &out);
		if (!cases[i].out) {
			ASSERT_INT_EQ(r, -EINVAL);
			continue;
		}
		ASSERT_INT_EQ(r, 0);
		ASSERT_STR_EQ(out, cases[i].out);
		free(out);
	}
}

TEST(mounts_refused_with_the_field_named)
{
	ASSERT_STR_EQ(container_error("\"mountPoints\": [{\"sourceVolume\": \"data\", \"containerPath\": \"data\"}]"),
		      "containerDefinitions[0].mountPoints[0].containerPath: \"data\" must be an "
		      "absolute path without '.' or '..' components or control characters");
	ASSERT_CONTAINS(container_error("\"mountPoints\": [{\"sourceVolume\": \"data\", \"containerPath\": \"/x/../../etc\"}]"),
			"mountPoints[0].containerPath: \"/x/../../etc\" must be an absolute path");
	ASSERT_STR_EQ(container_error("\"mountPoints\": [{\"sourceVolume\": \"nope\", \"containerPath\": \"/x\"}]"),
		      "containerDefinitions[0].mountPoints[0].sourceVolume: no volume named \"nope\" in volumes");
	ASSERT_CONTAINS(container_error("\"mountPoints\": [{\"sourceVolume\": \"data\", \"containerPath\": \"/\"}]"),
			"cannot be a mount point");
	ASSERT_CONTAINS(container_error("\"mountPoints\": [{\"sourceVolume\": \"data\", \"containerPath\": \"/proc/sys\"}]"),
			"cannot be a mount point");
	ASSERT_CONTAINS(container_error("\"mountPoints\": [{\"sourceVolume\": \"data\", \"containerPath\": \"/sys\"}]"),
			"cannot be a mount point");
	ASSERT_TRUE(container_error("\"mountPoints\": [{\"sourceVolume\": \"data\", \"containerPath\": \"/proc2\"}]") == NULL);
	ASSERT_STR_EQ(container_error("\"mountPoints\": [{\"sourceVolume\": \"data\", \"containerPath\": \"/x\"},"
				      " {\"sourceVolume\": \"scratch\", \"containerPath\": \"/x/\"}]"),
		      "containerDefinitions[0].mountPoints: two mounts at \"/x\"");
	ASSERT_STR_EQ(container_error("\"mountPoints\": [{\"sourceVolume\": \"data\", \"containerPath\": \"/x\", \"propagation\": \"shared\"}]"),
		      "containerDefinitions[0].mountPoints[0].propagation: field not supported by tether");
	ASSERT_STR_EQ(container_error("\"mountPoints\": [{\"containerPath\": \"/x\"}]"),
		      "containerDefinitions[0].mountPoints[0].sourceVolume: required");
	ASSERT_STR_EQ(container_error("\"mountPoints\": [{\"sourceVolume\": \"data\", \"containerPath\": \"/x\", \"readOnly\": 1}]"),
		      "containerDefinitions[0].mountPoints[0].readOnly: expected true or false");
	ASSERT_STR_EQ(container_error("\"readonlyRootFilesystem\": \"yes\""),
		      "containerDefinitions[0].readonlyRootFilesystem: expected true or false");
	ASSERT_STR_EQ(container_error("\"volumesFrom\": [{\"sourceContainer\": \"a\"}]"),
		      "containerDefinitions[0].volumesFrom[0].sourceContainer: \"a\" is not another "
		      "container of the task");
	ASSERT_STR_EQ(container_error("\"mountPoints\": {}"),
		      "containerDefinitions[0].mountPoints: expected an array of objects");
}

TEST(mounts_volumes_refused_with_the_field_named)
{
	const char *c = "{\"name\": \"a\", \"image\": \"i\"}";
	ASSERT_STR_EQ(parse("[{\"name\": \"v\", \"dockerVolumeConfiguration\": {}}]", c, NULL),
		      "volumes[0].dockerVolumeConfiguration: field not supported by tether");
	ASSERT_STR_EQ(parse("[{\"name\": \"v\", \"efsVolumeConfiguration\": {}}]", c, NULL),
		      "volumes[0].efsVolumeConfiguration: field not supported by tether");
	ASSERT_STR_EQ(parse("[{\"name\": \"v\", \"host\": {\"sourcePath\": \"srv\"}}]", c, NULL),
		      "volumes[0].host.sourcePath: \"srv\" must be an absolute path without '.' or "
		      "'..' components or control characters");
	ASSERT_CONTAINS(parse("[{\"name\": \"v\", \"host\": {\"sourcePath\": \"/srv/../etc\"}}]", c, NULL),
			"volumes[0].host.sourcePath");
	ASSERT_STR_EQ(parse("[{\"name\": \"v\", \"host\": {\"sourcePath\": \"//\"}}]", c, NULL),
		      "volumes[0].host.sourcePath: the host's root cannot be a volume");
	ASSERT_STR_EQ(parse("[{\"name\": \"v\"}, {\"name\": \"v\"}]", c, NULL),
		      "volumes[1].name: \"v\" is used by two volumes");
	ASSERT_STR_EQ(parse("[{\"name\": \"a/b\"}]", c, NULL),
		      "volumes[0].name: only letters, digits, '-' and '_' are allowed");
	ASSERT_STR_EQ(parse("[{}]", c, NULL), "volumes[0].name: required");
	ASSERT_STR_EQ(parse("{}", c, NULL), "volumes: expected an array of objects");
}

TEST(mounts_volumes_from_cycle_refused)
{
	ASSERT_STR_EQ(parse("", "{\"name\": \"a\", \"image\": \"i\", \"volumesFrom\": [{\"sourceContainer\": \"b\"}]},"
			    "{\"name\": \"b\", \"image\": \"i\", \"volumesFrom\": [{\"sourceContainer\": \"a\"}]}", NULL),
		      "containerDefinitions[0].volumesFrom: containers take volumes from each other in a cycle");
	/* Taking the same volume twice (directly and through another container) is two mounts
	 * at one path. */
	ASSERT_CONTAINS(parse("[{\"name\": \"v\"}]",
			      "{\"name\": \"a\", \"image\": \"i\", \"mountPoints\": [{\"sourceVolume\": \"v\", \"containerPath\": \"/v\"}]},"
			      "{\"name\": \"b\", \"image\": \"i\", \"volumesFrom\": [{\"sourceContainer\": \"a\"}],"
			      " \"mountPoints\": [{\"sourceVolume\": \"v\", \"containerPath\": \"/v\"}]}", NULL),
			"containerDefinitions[1].mountPoints: two mounts at \"/v\"");
}

TEST(dns_fields)
{
	_cleanup_(taskdef_freep) struct taskdef *td = NULL;
	const char *e = parse("", "{\"name\": \"a\", \"image\": \"i\", \"dnsServers\": [\"10.0.0.2\", \"fd00::53\"],"
			      " \"dnsSearchDomains\": [\"corp.example\", \"example.com\"],"
			      " \"extraHosts\": [{\"hostname\": \"db\", \"ipAddress\": \"10.1.2.3\"}]}", &td);
	ASSERT_TRUE(e == NULL);
	const struct taskdef_container *a = &td->containers[0];
	ASSERT_STR_EQ(a->dns_servers[1], "fd00::53");
	ASSERT_TRUE(a->dns_servers[2] == NULL);
	ASSERT_STR_EQ(a->dns_search_domains[0], "corp.example");
	ASSERT_INT_EQ(a->n_extra_hosts, 1);
	ASSERT_STR_EQ(a->extra_hosts[0].hostname, "db");
	ASSERT_STR_EQ(a->extra_hosts[0].ip_address, "10.1.2.3");

	ASSERT_STR_EQ(container_error("\"dnsServers\": [\"10.0.0.256\"]"),
		      "containerDefinitions[0].dnsServers[0]: \"10.0.0.256\" is not an IP address");
	ASSERT_STR_EQ(container_error("\"dnsServers\": [\"1.1.1.1\", \"1.0.0.1\", \"8.8.8.8\", \"8.8.4.4\"]"),
		      "containerDefinitions[0].dnsServers: more than 3 items");
	ASSERT_STR_EQ(container_error("\"dnsSearchDomains\": [\"a..b\"]"),
		      "containerDefinitions[0].dnsSearchDomains[0]: \"a..b\" is not a domain name");
	ASSERT_STR_EQ(container_error("\"extraHosts\": [{\"hostname\": \"db\\nx\", \"ipAddress\": \"10.1.2.3\"}]"),
		      "containerDefinitions[0].extraHosts[0].hostname: \"db\nx\" is not a valid host name");
	ASSERT_STR_EQ(container_error("\"extraHosts\": [{\"hostname\": \"db\", \"ipAddress\": \"db\"}]"),
		      "containerDefinitions[0].extraHosts[0].ipAddress: \"db\" is not an IP address");
	ASSERT_STR_EQ(container_error("\"extraHosts\": [{\"hostname\": \"db\"}]"),
		      "containerDefinitions[0].extraHosts[0].ipAddress: required");
	ASSERT_TRUE(taskdef_domain_is_valid("a-b.c_d.example"));
	ASSERT_TRUE(!taskdef_domain_is_valid("-a"));
	ASSERT_TRUE(!taskdef_domain_is_valid("a."));
	ASSERT_TRUE(!taskdef_domain_is_valid(".a"));
	ASSERT_TRUE(!taskdef_domain_is_valid("a b"));
}
