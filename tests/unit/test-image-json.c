/* The OCI documents parsed from bytes: index selection, manifests, configs. */
#include "tests/unit/test.h"

#include <errno.h>

#include "image/oci_json.h"

#define D1 "sha256:1111111111111111111111111111111111111111111111111111111111111111"
#define D2 "sha256:2222222222222222222222222222222222222222222222222222222222222222"
#define D3 "sha256:3333333333333333333333333333333333333333333333333333333333333333"
#define MANIFEST_TYPE "application/vnd.oci.image.manifest.v1+json"

static int select_in(const char *json, const char *tag, const char *arch, struct oci_descriptor *d,
		     struct error *err)
{
	return oci_index_select(json, strlen(json), tag, arch, d, err);
}

TEST(index_selects_by_tag_and_prefers_the_host_platform)
{
	const char *json =
		"{\"schemaVersion\":2,\"manifests\":["
		"{\"mediaType\":\"" MANIFEST_TYPE "\",\"digest\":\"" D1 "\",\"size\":10,"
		"\"annotations\":{\"org.opencontainers.image.ref.name\":\"v1\"}},"
		"{\"mediaType\":\"" MANIFEST_TYPE "\",\"digest\":\"" D2 "\",\"size\":20,"
		"\"platform\":{\"os\":\"linux\",\"architecture\":\"arm64\"},"
		"\"annotations\":{\"org.opencontainers.image.ref.name\":\"latest\"}},"
		"{\"mediaType\":\"" MANIFEST_TYPE "\",\"digest\":\"" D3 "\",\"size\":30,"
		"\"platform\":{\"os\":\"linux\",\"architecture\":\"amd64\"},"
		"\"annotations\":{\"org.opencontainers.image.ref.name\":\"latest\"}}]}";
	struct oci_descriptor d = { 0 };
	struct error err = { 0 };
	ASSERT_INT_EQ(select_in(json, "v1", "amd64", &d, &err), 0);
	ASSERT_STR_EQ(d.digest, D1);
	ASSERT_INT_EQ(d.size, 10);
	oci_descriptor_done(&d);
	ASSERT_INT_EQ(select_in(json, "latest", "amd64", &d, &err), 0);
	ASSERT_STR_EQ(d.digest, D3);
	oci_descriptor_done(&d);
	ASSERT_INT_EQ(select_in(json, "latest", "arm64", &d, &err), 0);
	ASSERT_STR_EQ(d.digest, D2);
	oci_descriptor_done(&d);
	ASSERT_INT_EQ(select_in(json, "latest", "s390x", &d, &err), -ENOENT);
	ASSERT_CONTAINS(err.message, "linux/s390x");
	ASSERT_INT_EQ(select_in(json, "v2", "amd64", &d, &err), -ENOENT);
	ASSERT_CONTAINS(err.message, "\"v2\"");
}

TEST(nested_index_selects_by_platform)
{
	const char *json =
		"{\"schemaVersion\":2,"
		"\"mediaType\":\"application/vnd.docker.distribution.manifest.list.v2+json\","
		"\"manifests\":["
		"{\"mediaType\":\"application/vnd.docker.distribution.manifest.v2+json\",\"digest\":\"" D1
		"\",\"size\":1,\"platform\":{\"os\":\"windows\",\"architecture\":\"amd64\"}},"
		"{\"mediaType\":\"application/vnd.docker.distribution.manifest.v2+json\",\"digest\":\"" D2
		"\",\"size\":2,\"platform\":{\"os\":\"linux\",\"architecture\":\"amd64\"}}]}";
	struct oci_descriptor d = { 0 };
	struct error err = { 0 };
	ASSERT_INT_EQ(select_in(json, NULL, "amd64", &d, &err), 0);
	ASSERT_STR_EQ(d.digest, D2);
	ASSERT_TRUE(oci_media_type_is_manifest(d.media_type));
	oci_descriptor_done(&d);
}

TEST(index_refuses_bad_documents)
{
	struct oci_descriptor d = { 0 };
	struct error err = { 0 };
	const struct {
		const char *json, *message;
	} cases[] = {
		{ "{", "not valid JSON" },
		{ "{\"schemaVersion\":1,\"manifests\":[]}", "schemaVersion" },
		{ "{\"schemaVersion\":2,\"mediaType\":\"text/plain\",\"manifests\":[]}", "not an image index" },
		{ "{\"schemaVersion\":2}", "manifests" },
		{ "{\"schemaVersion\":2,\"manifests\":[{\"mediaType\":\"" MANIFEST_TYPE "\","
		  "\"digest\":\"sha256:../../etc\",\"size\":1,"
		  "\"annotations\":{\"org.opencontainers.image.ref.name\":\"latest\"}}]}",
		  "not sha256" },
		{ "{\"schemaVersion\":2,\"manifests\":[{\"mediaType\":\"" MANIFEST_TYPE "\","
		  "\"digest\":\"" D1 "\",\"size\":-1,"
		  "\"annotations\":{\"org.opencontainers.image.ref.name\":\"latest\"}}]}",
		  "size" },
		{ "{\"schemaVersion\":2,\"manifests\":[{\"mediaType\":\"" MANIFEST_TYPE "\","
		  "\"digest\":\"sha512:" "00" "\",\"size\":1,"
		  "\"annotations\":{\"org.opencontainers.image.ref.name\":\"latest\"}}]}",
		  "not sha256" },
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		ASSERT_TRUE(select_in(cases[i].json, "latest", "amd64", &d, &err) < 0);
		ASSERT_CONTAINS(err.message, cases[i].message);
	}
}

TEST(manifest_parses_config_and_layers_in_order)
{
	const char *json =
		"{\"schemaVersion\":2,\"mediaType\":\"application/vnd.docker.distribution.manifest.v2+json\","
		"\"config\":{\"mediaType\":\"application/vnd.docker.container.image.v1+json\","
		"\"digest\":\"" D1 "\",\"size\":5},\"layers\":["
		"{\"mediaType\":\"application/vnd.docker.image.rootfs.diff.tar.gzip\",\"digest\":\"" D2
		"\",\"size\":7},"
		"{\"mediaType\":\"application/vnd.oci.image.layer.v1.tar+zstd\",\"digest\":\"" D3
		"\",\"size\":9}]}";
	struct oci_manifest m = { 0 };
	struct error err = { 0 };
	ASSERT_INT_EQ(oci_manifest_parse(json, strlen(json), &m, &err), 0);
	ASSERT_STR_EQ(m.config.digest, D1);
	ASSERT_INT_EQ(m.n_layers, 2);
	ASSERT_STR_EQ(m.layers[0].digest, D2);
	ASSERT_INT_EQ(m.layers[1].size, 9);
	oci_manifest_done(&m);
}

TEST(manifest_refuses_unknown_media_types)
{
	const char *bad_layer =
		"{\"schemaVersion\":2,\"config\":{\"mediaType\":\"application/vnd.oci.image.config.v1+json\","
		"\"digest\":\"" D1 "\",\"size\":5},\"layers\":[{\"mediaType\":\"application/zip\","
		"\"digest\":\"" D2 "\",\"size\":7}]}";
	const char *bad_config =
		"{\"schemaVersion\":2,\"config\":{\"mediaType\":\"application/json\","
		"\"digest\":\"" D1 "\",\"size\":5},\"layers\":[]}";
	const char *bad_type = "{\"schemaVersion\":2,\"mediaType\":\"application/vnd.oci.image.index.v1+json\"}";
	struct oci_manifest m = { 0 };
	struct error err = { 0 };
	ASSERT_INT_EQ(oci_manifest_parse(bad_layer, strlen(bad_layer), &m, &err), -EINVAL);
	ASSERT_CONTAINS(err.message, "layers[0]: mediaType \"application/zip\"");
	ASSERT_INT_EQ(oci_manifest_parse(bad_config, strlen(bad_config), &m, &err), -EINVAL);
	ASSERT_CONTAINS(err.message, "config: mediaType");
	ASSERT_INT_EQ(oci_manifest_parse(bad_type, strlen(bad_type), &m, &err), -EINVAL);
	ASSERT_CONTAINS(err.message, "not an image manifest");
}

TEST(config_reads_the_runtime_fields)
{
	const char *json = "{\"architecture\":\"amd64\",\"os\":\"linux\",\"config\":{"
			   "\"Entrypoint\":[\"/init\",\"--\"],\"Cmd\":null,\"Env\":[\"A=1\",\"B=2\"],"
			   "\"WorkingDir\":\"/srv\",\"User\":\"\",\"Labels\":{\"x\":\"y\"}}}";
	struct image_config c = { 0 };
	struct error err = { 0 };
	ASSERT_INT_EQ(oci_config_parse(json, strlen(json), &c, &err), 0);
	ASSERT_STR_EQ(c.entrypoint[0], "/init");
	ASSERT_STR_EQ(c.entrypoint[1], "--");
	ASSERT_TRUE(c.entrypoint[2] == NULL);
	ASSERT_TRUE(c.cmd == NULL);
	ASSERT_STR_EQ(c.env[1], "B=2");
	ASSERT_STR_EQ(c.working_dir, "/srv");
	ASSERT_TRUE(c.user == NULL);
	image_config_done(&c);

	const char *empty = "{\"os\":\"linux\"}";
	ASSERT_INT_EQ(oci_config_parse(empty, strlen(empty), &c, &err), 0);
	ASSERT_TRUE(c.entrypoint == NULL && c.cmd == NULL && c.env == NULL);

	const char *windows = "{\"os\":\"windows\"}";
	ASSERT_INT_EQ(oci_config_parse(windows, strlen(windows), &c, &err), -EINVAL);
	const char *bad_env = "{\"config\":{\"Env\":[\"A=1\",2]}}";
	ASSERT_INT_EQ(oci_config_parse(bad_env, strlen(bad_env), &c, &err), -EINVAL);
	ASSERT_CONTAINS(err.message, "config.Env[1]");
}

TEST(an_arm64_host_takes_v8_or_no_variant_never_another)
{
	const char *json =
		"{\"schemaVersion\":2,\"manifests\":["
		"{\"mediaType\":\"" MANIFEST_TYPE "\",\"digest\":\"" D1 "\",\"size\":10,"
		"\"platform\":{\"os\":\"linux\",\"architecture\":\"arm64\",\"variant\":\"v9\"}},"
		"{\"mediaType\":\"" MANIFEST_TYPE "\",\"digest\":\"" D2 "\",\"size\":20,"
		"\"platform\":{\"os\":\"linux\",\"architecture\":\"arm64\",\"variant\":\"v8\"}},"
		"{\"mediaType\":\"" MANIFEST_TYPE "\",\"digest\":\"" D3 "\",\"size\":30,"
		"\"platform\":{\"os\":\"linux\",\"architecture\":\"amd64\"}}]}";
	struct oci_descriptor d = { 0 };
	struct error err = { 0 };
	ASSERT_INT_EQ(select_in(json, NULL, "arm64", &d, &err), 0);
	ASSERT_STR_EQ(d.digest, D2);
	oci_descriptor_done(&d);
	const char *only_v9 =
		"{\"schemaVersion\":2,\"manifests\":["
		"{\"mediaType\":\"" MANIFEST_TYPE "\",\"digest\":\"" D1 "\",\"size\":10,"
		"\"platform\":{\"os\":\"linux\",\"architecture\":\"arm64\",\"variant\":\"v9\"}}]}";
	ASSERT_INT_EQ(select_in(only_v9, NULL, "arm64", &d, &err), -ENOENT);
	const char *no_variant =
		"{\"schemaVersion\":2,\"manifests\":["
		"{\"mediaType\":\"" MANIFEST_TYPE "\",\"digest\":\"" D1 "\",\"size\":10,"
		"\"platform\":{\"os\":\"linux\",\"architecture\":\"arm64\"}}]}";
	ASSERT_INT_EQ(select_in(no_variant, NULL, "arm64", &d, &err), 0);
	ASSERT_STR_EQ(d.digest, D1);
	oci_descriptor_done(&d);
}
