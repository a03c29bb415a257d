/* A container's mounts resolved from its definition: volumes to host folders, tmpfs options
 * to mount flags, parents before children, /dev/shm's size, and the config.json round trip. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>

#include "common/cleanup.h"
#include "container/container_storage.h"
#include "container/tmpfs_options.h"
#include "tests/unit/test.h"

TEST(tmpfs_options_default_and_overrides)
{
	uint64_t flags;
	_cleanup_free_ char *data = NULL, *data2 = NULL;
	ASSERT_INT_EQ(tmpfs_options_parse(NULL, 64, &flags, &data), 0);
	ASSERT_INT_EQ(flags, MS_NOSUID | MS_NODEV | MS_NOEXEC);
	ASSERT_STR_EQ(data, "size=65536k");
	char *opts[] = { (char *)"exec", (char *)"ro", (char *)"mode=1777", (char *)"noatime",
			 (char *)"uid=1000", (char *)"rshared", (char *)"private", NULL };
	ASSERT_INT_EQ(tmpfs_options_parse(opts, 1, &flags, &data2), 0);
	ASSERT_INT_EQ(flags, MS_NOSUID | MS_NODEV | MS_RDONLY | MS_NOATIME | MS_PRIVATE);
	ASSERT_STR_EQ(data2, "size=1024k,mode=1777,uid=1000");
	char *bad[] = { (char *)"size=1g", NULL };
	char *unset = NULL;
	ASSERT_INT_EQ(tmpfs_options_parse(bad, 1, &flags, &unset), -EINVAL);
	ASSERT_TRUE(unset == NULL);
	/* Registration refuses "dev"; should one come through anyway, it is not applied. */
	char *dev[] = { (char *)"dev", NULL };
	ASSERT_INT_EQ(tmpfs_options_parse(dev, 1, &flags, &unset), -EINVAL);
	ASSERT_TRUE(unset == NULL);
}

static struct taskdef *parse(const char *text)
{
	struct taskdef *td = NULL;
	struct error err = { 0 };
	if (taskdef_parse(text, strlen(text), &td, &err) < 0)
		test_fail_at(__FILE__, __LINE__, "%s", err.message);
	return td;
}

TEST(storage_resolved_from_the_definition)
{
	_cleanup_(taskdef_freep) struct taskdef *td = parse(
		"{\"family\": \"f\", \"volumes\": [{\"name\": \"host\", \"host\": {\"sourcePath\": \"/srv/h\"}},"
		" {\"name\": \"task\"}], \"containerDefinitions\": [{\"name\": \"a\", \"image\": \"i\","
		" \"readonlyRootFilesystem\": true, \"extraHosts\": [{\"hostname\": \"db\", \"ipAddress\": \"10.0.0.9\"}],"
		" \"mountPoints\": [{\"sourceVolume\": \"host\", \"containerPath\": \"/data/deep/x\", \"readOnly\": true},"
		"  {\"sourceVolume\": \"task\", \"containerPath\": \"/t\"}],"
		" \"linuxParameters\": {\"sharedMemorySize\": 128, \"tmpfs\": [{\"containerPath\": \"/data//\", \"size\": 2}]}}]}");
	ASSERT_TRUE(td != NULL);
	struct container_storage st = { 0 };
	struct error err = { 0 };
	ASSERT_INT_EQ(container_storage_resolve(td, &td->containers[0], "/var/lib/tether/tasks/t1", &st, &err), 0);
	ASSERT_TRUE(st.readonly_root);
	ASSERT_INT_EQ(st.shm_size_mib, 128);
	ASSERT_INT_EQ(st.n_mounts, 3);
	/* Parents first: /t and the tmpfs at /data (depth 1) before /data/deep/x. */
	ASSERT_STR_EQ(st.mounts[0].destination, "/t");
	ASSERT_STR_EQ(st.mounts[0].source, "/var/lib/tether/tasks/t1/volumes/task");
	ASSERT_TRUE(!st.mounts[0].read_only);
	ASSERT_STR_EQ(st.mounts[1].destination, "/data");
	ASSERT_TRUE(st.mounts[1].source == NULL);
	ASSERT_STR_EQ(st.mounts[1].tmpfs_options, "size=2048k");
	ASSERT_STR_EQ(st.mounts[2].destination, "/data/deep/x");
	ASSERT_STR_EQ(st.mounts[2].source, "/srv/h");
	ASSERT_TRUE(st.mounts[2].read_only);
	ASSERT_STR_EQ(st.extra_hosts[0], "10.0.0.9 db");
	ASSERT_TRUE(st.dns_servers == NULL);

	/* The config.json form carries all of it. */
	cJSON *o = cJSON_CreateObject();
	ASSERT_TRUE(container_storage_to_json(&st, o));
	struct container_storage back = { 0 };
	int r = container_storage_from_json(o, &back);
	cJSON_Delete(o);
	ASSERT_INT_EQ(r, 0);
	ASSERT_INT_EQ(back.n_mounts, 3);
	ASSERT_STR_EQ(back.mounts[1].tmpfs_options, "size=2048k");
	ASSERT_INT_EQ(back.mounts[1].tmpfs_flags, MS_NOSUID | MS_NODEV | MS_NOEXEC);
	ASSERT_STR_EQ(back.mounts[2].source, "/srv/h");
	ASSERT_TRUE(back.mounts[2].read_only && back.readonly_root);
	ASSERT_INT_EQ(back.shm_size_mib, 128);
	ASSERT_STR_EQ(back.extra_hosts[0], "10.0.0.9 db");
	container_storage_release(&back);
	container_storage_release(&st);
}

TEST(storage_defaults_and_old_configs)
{
	_cleanup_(taskdef_freep) struct taskdef *td = parse(
		"{\"family\": \"f\", \"containerDefinitions\": [{\"name\": \"a\", \"image\": \"i\"}]}");
	ASSERT_TRUE(td != NULL);
	struct container_storage st = { 0 };
	ASSERT_INT_EQ(container_storage_resolve(td, &td->containers[0], "/t", &st, NULL), 0);
	ASSERT_INT_EQ(st.shm_size_mib, CONTAINER_DEFAULT_SHM_MIB);
	ASSERT_INT_EQ(st.n_mounts, 0);
	ASSERT_TRUE(!st.readonly_root);
	container_storage_release(&st);
	/* A config.json from before these members existed still loads. */
	cJSON *o = cJSON_CreateObject();
	ASSERT_INT_EQ(container_storage_from_json(o, &st), 0);
	ASSERT_INT_EQ(st.shm_size_mib, CONTAINER_DEFAULT_SHM_MIB);
	container_storage_release(&st);
	cJSON_AddStringToObject(o, "mounts", "x");
	ASSERT_INT_EQ(container_storage_from_json(o, &st), -EINVAL);
	container_storage_release(&st);
	cJSON_Delete(o);
}

TEST(storage_tmpfs_and_mount_point_at_one_path_refused)
{
	static const char text[] =
		"{\"family\": \"f\", \"volumes\": [{\"name\": \"v\"}], \"containerDefinitions\": [{\"name\": \"a\","
		" \"image\": \"i\", \"mountPoints\": [{\"sourceVolume\": \"v\", \"containerPath\": \"/x\"}],"
		" \"linuxParameters\": {\"tmpfs\": [{\"containerPath\": \"/x/\", \"size\": 1}]}}]}";
	struct taskdef *td = NULL;
	struct error err = { 0 };
	ASSERT_INT_EQ(taskdef_parse(text, strlen(text), &td, &err), -EINVAL);
	ASSERT_STR_EQ(err.message, "containerDefinitions[0].mountPoints: two mounts at \"/x/\"");
}
