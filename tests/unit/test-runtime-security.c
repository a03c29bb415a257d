/* Resolving capabilities (Docker's add/drop rules), init, network and ulimits, and their
 * config.json round trip. */
#include <stdlib.h>

#include "container/container_config.h"
#include "tests/unit/test.h"

#define BIT(n) (UINT64_C(1) << (n))

TEST(capabilities_default_is_dockers_fourteen)
{
	struct taskdef_capabilities none = { 0 };
	ASSERT_INT_EQ(container_capabilities_resolve(&none), 0xa80425fb);
	ASSERT_INT_EQ(__builtin_popcountll(CONTAINER_DEFAULT_CAPABILITIES), 14);
}

TEST(capabilities_add_after_drop)
{
	struct taskdef_capabilities c = { .add = BIT(21) | BIT(27), .drop = BIT(27) | BIT(0) };
	/* MKNOD (27) is in both: add wins, as with docker --cap-drop X --cap-add X. */
	ASSERT_INT_EQ(container_capabilities_resolve(&c), (0xa80425fb & ~BIT(0)) | BIT(21));
}

TEST(capabilities_all)
{
	struct taskdef_capabilities add_all = { .add_all = true, .drop = BIT(21) };
	ASSERT_INT_EQ(container_capabilities_resolve(&add_all), (BIT(41) - 1) & ~BIT(21));
	struct taskdef_capabilities drop_all = { .drop_all = true, .add = BIT(12) };
	ASSERT_INT_EQ(container_capabilities_resolve(&drop_all), BIT(12));
	struct taskdef_capabilities both = { .drop_all = true, .add_all = true };
	ASSERT_INT_EQ(container_capabilities_resolve(&both), BIT(41) - 1);
}

TEST(security_resolved_and_round_trips)
{
	char *cmd[] = { "true", NULL };
	struct taskdef_ulimit ulimits[] = {
		{ .name = ULIMIT_NOFILE, .soft = 10, .hard = 20 },
		{ .name = ULIMIT_CORE, .soft = 0, .hard = TASKDEF_ULIMIT_UNLIMITED },
	};
	struct taskdef_container def = {
		.name = "app", .command = cmd, .ulimits = ulimits, .n_ulimits = 2,
		.linux_parameters = { .init_process_enabled = true,
				      .capabilities = { .add = BIT(12) } },
	};
	struct container_config *cfg = NULL, *back = NULL;
	struct error err = { 0 };
	ASSERT_INT_EQ(container_config_resolve(&def, "none", NULL, "t", NULL, "tether/t/app", &cfg,
					       &err), 0);
	ASSERT_TRUE(cfg->security.init && cfg->security.network_none);
	ASSERT_INT_EQ(cfg->security.capabilities, 0xa80425fb | BIT(12));
	ASSERT_INT_EQ(cfg->security.n_ulimits, 2);
	char *text = NULL;
	ASSERT_INT_EQ(container_config_to_json(cfg, &text), 0);
	ASSERT_CONTAINS(text, "\"NET_ADMIN\"");
	ASSERT_CONTAINS(text, "\"network\":\t\"none\"");
	int r = container_config_from_json(text, &back, &err);
	free(text);
	ASSERT_INT_EQ(r, 0);
	ASSERT_INT_EQ(back->security.capabilities, cfg->security.capabilities);
	ASSERT_TRUE(back->security.init && back->security.network_none);
	ASSERT_INT_EQ(back->security.n_ulimits, 2);
	ASSERT_INT_EQ(back->security.ulimits[0].name, ULIMIT_NOFILE);
	ASSERT_INT_EQ(back->security.ulimits[0].hard, 20);
	ASSERT_TRUE(back->security.ulimits[1].hard == TASKDEF_ULIMIT_UNLIMITED);
	container_config_free(cfg);
	container_config_free(back);
}

TEST(security_defaults_to_host_network_without_init)
{
	char *cmd[] = { "true", NULL };
	struct taskdef_container def = { .name = "app", .command = cmd };
	struct container_config *cfg = NULL;
	struct error err = { 0 };
	ASSERT_INT_EQ(container_config_resolve(&def, NULL, NULL, "t", NULL, "tether/t/app", &cfg,
					       &err), 0);
	ASSERT_TRUE(!cfg->security.init && !cfg->security.network_none);
	ASSERT_INT_EQ(cfg->security.n_ulimits, 0);
	container_config_free(cfg);
}

TEST(security_from_json_refuses_bad_members)
{
	static const char *const bad[] = {
		"\"capabilities\": [\"SYS_WIZARD\"], \"init\": false, \"network\": \"host\", \"ulimits\": []",
		"\"capabilities\": [], \"init\": 1, \"network\": \"host\", \"ulimits\": []",
		"\"capabilities\": [], \"init\": false, \"network\": \"bridge\", \"ulimits\": []",
		"\"capabilities\": [], \"init\": false, \"network\": \"host\", \"ulimits\": [{\"name\": \"nofile\", \"soft\": 3, \"hard\": 2}]",
		"\"capabilities\": [], \"init\": false, \"network\": \"host\", \"ulimits\": [{\"name\": \"as\", \"soft\": 1, \"hard\": 2}]",
		"\"capabilities\": \"ALL\"",
		"\"ulimits\": {}",
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		char text[1024];
		snprintf(text, sizeof(text), "{\"args\": [\"true\"], \"env\": [], \"layers\": [], "
			 "\"cwd\": \"/\", \"hostname\": \"h\", \"cgroup\": \"c\", \"stop_timeout\": 1, %s}",
			 bad[i]);
		struct container_config *cfg = NULL;
		struct error err = { 0 };
		if (container_config_from_json(text, &cfg, &err) == 0) {
			container_config_free(cfg);
			test_fail_at(__FILE__, __LINE__, "accepted %s", bad[i]);
			return;
		}
	}
}

TEST(security_from_json_absent_members_are_the_defaults)
{
	const char *text = "{\"args\": [\"true\"], \"env\": [], \"layers\": [], \"cwd\": \"/\", "
			   "\"hostname\": \"h\", \"cgroup\": \"c\", \"stop_timeout\": 1}";
	struct container_config *cfg = NULL;
	struct error err = { 0 };
	ASSERT_INT_EQ(container_config_from_json(text, &cfg, &err), 0);
	ASSERT_INT_EQ(cfg->security.capabilities, CONTAINER_DEFAULT_CAPABILITIES);
	ASSERT_TRUE(!cfg->security.init && !cfg->security.network_none);
	ASSERT_INT_EQ(cfg->security.n_ulimits, 0);
	container_config_free(cfg);
}
