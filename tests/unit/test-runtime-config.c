/* Resolving a container's process (argv, env, cwd, user, hostname) as Docker does, and the
 * config.json round trip between agent and monitor. */
#include <stdlib.h>

#include "container/container_config.h"
#include "tests/unit/test.h"

static char *img_entry[] = { "/entry", "-x", NULL };
static char *img_cmd[] = { "img-cmd", NULL };
static char *img_env[] = { "PATH=/img/bin", "KEEP=1", "OVER=image", NULL };

static const struct image_config image = {
	.entrypoint = img_entry, .cmd = img_cmd, .env = img_env, .working_dir = "/srv",
	.user = "daemon",
};

static struct container_config *resolve(const struct taskdef_container *def,
					const struct image_config *img)
{
	struct container_config *cfg = NULL;
	struct error err = { 0 };
	char *layers[] = { "/l/0", "/l/1", NULL };
	if (container_config_resolve(def, NULL, img, "0123456789abcdef", layers, "tether/t/app", &cfg,
				     &err) < 0)
		return NULL;
	return cfg;
}

static const char *joined(char **v)
{
	static char buf[512];
	buf[0] = '\0';
	for (; v && *v; v++) {
		strcat(buf, *v);
		if (v[1])
			strcat(buf, " ");
	}
	return buf;
}

TEST(image_entrypoint_and_cmd_when_definition_sets_none)
{
	struct taskdef_container def = { .name = "app", .stop_timeout = 30 };
	struct container_config *cfg = resolve(&def, &image);
	ASSERT_TRUE(cfg);
	ASSERT_STR_EQ(joined(cfg->args), "/entry -x img-cmd");
	ASSERT_STR_EQ(cfg->cwd, "/srv");
	ASSERT_STR_EQ(cfg->user, "daemon");
	ASSERT_STR_EQ(cfg->hostname, "0123456789ab");
	ASSERT_STR_EQ(joined(cfg->layers), "/l/0 /l/1");
	container_config_free(cfg);
}

TEST(command_replaces_image_cmd_only)
{
	char *cmd[] = { "run", "fast", NULL };
	struct taskdef_container def = { .name = "app", .command = cmd };
	struct container_config *cfg = resolve(&def, &image);
	ASSERT_TRUE(cfg);
	ASSERT_STR_EQ(joined(cfg->args), "/entry -x run fast");
	container_config_free(cfg);
}

TEST(entry_point_drops_image_cmd)
{
	char *entry[] = { "/bin/echo", NULL };
	struct taskdef_container def = { .name = "app", .entry_point = entry };
	struct container_config *cfg = resolve(&def, &image);
	ASSERT_TRUE(cfg);
	ASSERT_STR_EQ(joined(cfg->args), "/bin/echo");
	container_config_free(cfg);
}

TEST(entry_point_and_command_from_definition)
{
	char *entry[] = { "/bin/echo", NULL }, *cmd[] = { "hi", NULL };
	struct taskdef_container def = { .name = "app", .entry_point = entry, .command = cmd };
	struct container_config *cfg = resolve(&def, &image);
	ASSERT_TRUE(cfg);
	ASSERT_STR_EQ(joined(cfg->args), "/bin/echo hi");
	container_config_free(cfg);
}

TEST(no_command_anywhere_is_an_error)
{
	struct taskdef_container def = { .name = "app" };
	struct image_config empty = { 0 };
	struct container_config *cfg = NULL;
	struct error err = { 0 };
	ASSERT_TRUE(container_config_resolve(&def, NULL, &empty, "t", NULL, "tether/t/app", &cfg, &err) < 0);
	ASSERT_CONTAINS(err.message, "no command");
	ASSERT_TRUE(cfg == NULL);
}

TEST(definition_environment_overrides_image_by_name)
{
	struct taskdef_env env[] = { { "OVER", "def" }, { "NEW", "x=y" } };
	struct taskdef_container def = { .name = "app", .environment = env, .n_environment = 2,
					 .working_directory = "/w", .user = "1:2",
					 .hostname = "web" };
	struct container_config *cfg = resolve(&def, &image);
	ASSERT_TRUE(cfg);
	ASSERT_STR_EQ(joined(cfg->env), "PATH=/img/bin KEEP=1 OVER=def NEW=x=y");
	ASSERT_STR_EQ(cfg->cwd, "/w");
	ASSERT_STR_EQ(cfg->user, "1:2");
	ASSERT_STR_EQ(cfg->hostname, "web");
	container_config_free(cfg);
}

TEST(default_path_cwd_and_root_user_without_image_config)
{
	char *cmd[] = { "sh", NULL };
	struct taskdef_container def = { .name = "app", .command = cmd };
	struct image_config empty = { 0 };
	struct container_config *cfg = resolve(&def, &empty);
	ASSERT_TRUE(cfg);
	ASSERT_STR_EQ(joined(cfg->env), "PATH=" CONTAINER_DEFAULT_PATH);
	ASSERT_STR_EQ(cfg->cwd, "/");
	ASSERT_TRUE(cfg->user == NULL);
	container_config_free(cfg);
}

TEST(config_json_round_trip)
{
	struct taskdef_container def = { .name = "app", .stop_timeout = 7 };
	struct container_config *cfg = resolve(&def, &image);
	ASSERT_TRUE(cfg);
	cfg->inherit_output = true;
	char *text = NULL;
	ASSERT_INT_EQ(container_config_to_json(cfg, &text), 0);
	struct container_config *back = NULL;
	struct error err = { 0 };
	ASSERT_INT_EQ(container_config_from_json(text, &back, &err), 0);
	ASSERT_STR_EQ(joined(back->args), "/entry -x img-cmd");
	ASSERT_STR_EQ(back->user, "daemon");
	ASSERT_STR_EQ(back->cgroup, "tether/t/app");
	ASSERT_INT_EQ(back->stop_timeout, 7);
	ASSERT_TRUE(back->inherit_output);
	free(text);
	container_config_free(cfg);
	container_config_free(back);
}

TEST(config_json_carries_devices)
{
	struct taskdef_device devices[] = {
		{ .host_path = "/dev/ttyS1", .container_path = "/dev/ttyS1",
		  .permissions = TASKDEF_DEVICE_ALL },
		{ .host_path = "/dev/loop3", .container_path = "/dev/disk",
		  .permissions = TASKDEF_DEVICE_READ },
	};
	struct taskdef_container def = { .name = "app",
					 .linux_parameters = { .devices = devices, .n_devices = 2 } };
	struct container_config *cfg = resolve(&def, &image);
	ASSERT_TRUE(cfg);
	ASSERT_INT_EQ(cfg->devices.n, 2);
	ASSERT_INT_EQ(cfg->devices.items[1].access, CGROUP_DEVICE_READ);
	char *text = NULL;
	ASSERT_INT_EQ(container_config_to_json(cfg, &text), 0);
	ASSERT_CONTAINS(text, "\"access\":\t\"rwm\"");
	struct container_config *back = NULL;
	struct error err = { 0 };
	ASSERT_INT_EQ(container_config_from_json(text, &back, &err), 0);
	ASSERT_INT_EQ(back->devices.n, 2);
	ASSERT_STR_EQ(back->devices.items[0].host_path, "/dev/ttyS1");
	ASSERT_INT_EQ(back->devices.items[0].access, CGROUP_DEVICE_RWM);
	ASSERT_STR_EQ(back->devices.items[1].container_path, "/dev/disk");
	ASSERT_INT_EQ(back->devices.items[1].access, CGROUP_DEVICE_READ);
	free(text);
	container_config_free(cfg);
	container_config_free(back);
	/* A device with no access, or one the monitor does not know, is not run. */
	ASSERT_TRUE(container_config_from_json("{\"args\":[\"x\"],\"env\":[],\"layers\":[],\"cwd\":\"/\","
					       "\"hostname\":\"h\",\"cgroup\":\"c\",\"stop_timeout\":1,"
					       "\"devices\":[{\"host_path\":\"/dev/x\",\"container_path\":"
					       "\"/dev/x\",\"access\":\"rx\"}]}", &back, &err) < 0);
	ASSERT_TRUE(container_config_from_json("{\"args\":[\"x\"],\"env\":[],\"layers\":[],\"cwd\":\"/\","
					       "\"hostname\":\"h\",\"cgroup\":\"c\",\"stop_timeout\":1,"
					       "\"devices\":[{\"host_path\":\"/dev/x\",\"container_path\":"
					       "\"/dev/x\",\"access\":\"\"}]}", &back, &err) < 0);
}

TEST(config_json_rejects_missing_args)
{
	struct container_config *cfg = NULL;
	struct error err = { 0 };
	ASSERT_TRUE(container_config_from_json("{\"args\":[],\"env\":[],\"layers\":[],\"cwd\":\"/\","
					       "\"hostname\":\"h\",\"cgroup\":\"c\",\"stop_timeout\":1}",
					       &cfg, &err) < 0);
	ASSERT_TRUE(container_config_from_json("[1]", &cfg, &err) < 0);
	ASSERT_TRUE(cfg == NULL);
}
