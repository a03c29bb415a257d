/* Registry references read as Docker reads them: defaults, official images, ports, digests,
 * and the names Docker refuses. */
#include <errno.h>
#include <string.h>

#include "image/image_ref.h"
#include "tests/unit/test.h"

#define DIGEST "sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"

static void expect(const char *text, const char *registry, const char *repository,
		   const char *tag, const char *digest)
{
	struct image_ref ref = { 0 };
	struct error err = { 0 };
	int r = image_ref_parse(text, &ref, &err);
	if (r < 0)
		fprintf(stderr, "  %s: %s\n", text, err.message);
	ASSERT_INT_EQ(r, 0);
	ASSERT_STR_EQ(ref.registry, registry);
	ASSERT_STR_EQ(ref.repository, repository);
	if (tag)
		ASSERT_STR_EQ(ref.tag, tag);
	else
		ASSERT_TRUE(ref.tag == NULL);
	if (digest)
		ASSERT_STR_EQ(ref.digest, digest);
	else
		ASSERT_TRUE(ref.digest == NULL);
	image_ref_done(&ref);
}

TEST(docker_hub_names_are_normalised)
{
	expect("busybox", "docker.io", "library/busybox", "latest", NULL);
	expect("busybox:1.36", "docker.io", "library/busybox", "1.36", NULL);
	expect("docker://busybox:1.36", "docker.io", "library/busybox", "1.36", NULL);
	expect("team/app", "docker.io", "team/app", "latest", NULL);
	expect("docker.io/nginx:1.25", "docker.io", "library/nginx", "1.25", NULL);
	expect("docker.io/library/nginx", "docker.io", "library/nginx", "latest", NULL);
	expect("index.docker.io/busybox", "docker.io", "library/busybox", "latest", NULL);
}

TEST(a_first_component_with_a_dot_a_port_or_localhost_is_a_registry)
{
	expect("registry.example.com:5000/team/app:v2", "registry.example.com:5000", "team/app",
	       "v2", NULL);
	expect("127.0.0.1:5000/busybox", "127.0.0.1:5000", "busybox", "latest", NULL);
	expect("localhost/app", "localhost", "app", "latest", NULL);
	expect("[::1]:5000/app:1", "[::1]:5000", "app", "1", NULL);
	expect("public.ecr.aws/x/y:1", "public.ecr.aws", "x/y", "1", NULL);
	expect("Registry.Example.COM/app", "registry.example.com", "app", "latest", NULL);
	/* No dot, no port: Docker Hub's "localhostx" user. */
	expect("localhostx/app", "docker.io", "localhostx/app", "latest", NULL);
}

TEST(a_digest_pins_the_image_and_a_tag_stays_for_display)
{
	expect("busybox@" DIGEST, "docker.io", "library/busybox", NULL, DIGEST);
	expect("busybox:1.36@" DIGEST, "docker.io", "library/busybox", "1.36", DIGEST);
	expect("127.0.0.1:5000/a/b@" DIGEST, "127.0.0.1:5000", "a/b", NULL, DIGEST);
	struct image_ref ref = { 0 };
	ASSERT_INT_EQ(image_ref_parse("busybox:1.36@" DIGEST, &ref, NULL), 0);
	ASSERT_STR_EQ(image_ref_manifest_name(&ref), DIGEST);
	image_ref_done(&ref);
	ASSERT_INT_EQ(image_ref_parse("busybox:1.36", &ref, NULL), 0);
	ASSERT_STR_EQ(image_ref_manifest_name(&ref), "1.36");
	image_ref_done(&ref);
}

TEST(separators_follow_dockers_grammar)
{
	expect("x/a.b_c__d-e---f", "docker.io", "x/a.b_c__d-e---f", "latest", NULL);
	const char *bad[] = {
		"", "UPPER", "a__-b", "a..b", "a___b", "-a", "a-", "a/", "/a", "a//b", "a:",
		"a:-tag", "a:.tag", "a:t@g", "a@sha256:00", "a@sha512:" DIGEST, "a@" DIGEST "0",
		"host:99999/a", "host:0/a", "host:/a", "-host.com/a", "[zz]:1/a", "a b", "a\tb",
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		struct image_ref ref = { 0 };
		struct error err = { 0 };
		int r = image_ref_parse(bad[i], &ref, &err);
		if (r != -EINVAL)
			fprintf(stderr, "  accepted \"%s\"\n", bad[i]);
		ASSERT_INT_EQ(r, -EINVAL);
		ASSERT_TRUE(err.message[0] != '\0');
	}
}

TEST(lengths_are_bounded)
{
	char name[300], tag[140], text[600];
	memset(name, 'a', 256);
	name[256] = '\0';
	struct image_ref ref = { 0 };
	ASSERT_INT_EQ(image_ref_parse(name, &ref, NULL), -EINVAL);
	name[255] = '\0';
	ASSERT_INT_EQ(image_ref_parse(name, &ref, NULL), 0);
	image_ref_done(&ref);
	memset(tag, 't', 129);
	tag[129] = '\0';
	snprintf(text, sizeof(text), "a:%s", tag);
	ASSERT_INT_EQ(image_ref_parse(text, &ref, NULL), -EINVAL);
	tag[128] = '\0';
	snprintf(text, sizeof(text), "a:%s", tag);
	ASSERT_INT_EQ(image_ref_parse(text, &ref, NULL), 0);
	image_ref_done(&ref);
}

TEST(loopback_registries_are_recognised)
{
	ASSERT_TRUE(image_ref_registry_is_loopback("127.0.0.1:5000"));
	ASSERT_TRUE(image_ref_registry_is_loopback("127.9.9.9"));
	ASSERT_TRUE(image_ref_registry_is_loopback("localhost:5000"));
	ASSERT_TRUE(image_ref_registry_is_loopback("[::1]:5000"));
	ASSERT_TRUE(!image_ref_registry_is_loopback("128.0.0.1:5000"));
	ASSERT_TRUE(!image_ref_registry_is_loopback("127.0.0.1.example.com"));
	ASSERT_TRUE(!image_ref_registry_is_loopback("docker.io"));
	ASSERT_TRUE(!image_ref_registry_is_loopback("[::2]:5000"));
}
