/* What registries ask for and what the node answers with: WWW-Authenticate challenges, token
 * answers and docker config.json credentials. */
#include <errno.h>
#include <string.h>

#include "image/registry_auth.h"
#include "tests/unit/test.h"

TEST(bearer_challenges_give_realm_service_and_scope)
{
	struct auth_challenge c = { 0 };
	struct error err = { 0 };
	ASSERT_INT_EQ(auth_challenge_parse("Bearer realm=\"https://auth.docker.io/token\","
					   "service=\"registry.docker.io\","
					   "scope=\"repository:library/busybox:pull\"",
					   &c, &err), 0);
	ASSERT_INT_EQ(c.scheme, AUTH_BEARER);
	ASSERT_STR_EQ(c.realm, "https://auth.docker.io/token");
	ASSERT_STR_EQ(c.service, "registry.docker.io");
	ASSERT_STR_EQ(c.scope, "repository:library/busybox:pull");
	auth_challenge_done(&c);
	/* Case of the scheme and the names, spaces, token values, escapes. */
	ASSERT_INT_EQ(auth_challenge_parse("bearer  Realm = \"http://127.0.0.1:9/t\" , "
					   "service=reg.local, scope=\"a\\\"b\"", &c, &err), 0);
	ASSERT_STR_EQ(c.realm, "http://127.0.0.1:9/t");
	ASSERT_STR_EQ(c.service, "reg.local");
	ASSERT_STR_EQ(c.scope, "a\"b");
	auth_challenge_done(&c);
}

TEST(basic_challenges_need_no_realm)
{
	struct auth_challenge c = { 0 };
	ASSERT_INT_EQ(auth_challenge_parse("Basic realm=\"Registry Realm\"", &c, NULL), 0);
	ASSERT_INT_EQ(c.scheme, AUTH_BASIC);
	auth_challenge_done(&c);
	ASSERT_INT_EQ(auth_challenge_parse("Basic", &c, NULL), 0);
	auth_challenge_done(&c);
}

TEST(other_schemes_and_malformed_challenges_are_refused_by_name)
{
	struct auth_challenge c = { 0 };
	struct error err = { 0 };
	ASSERT_INT_EQ(auth_challenge_parse("Negotiate abc", &c, &err), -EPROTONOSUPPORT);
	ASSERT_CONTAINS(err.message, "Negotiate");
	const char *bad[] = {
		"Bearer realm=\"https://x", "Bearer realm", "Bearer realm=\"ftp://x/t\"",
		"Bearer service=\"s\"", "Bearer realm=\"https://x\" junk", "Bearer =x",
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		ASSERT_INT_EQ(auth_challenge_parse(bad[i], &c, &err), -EINVAL);
}

TEST(token_answers_take_token_or_access_token)
{
	struct auth_token t = { 0 };
	const char *a = "{\"token\":\"abc\",\"expires_in\":300}";
	ASSERT_INT_EQ(auth_token_parse(a, strlen(a), &t, NULL), 0);
	ASSERT_STR_EQ(t.token, "abc");
	ASSERT_INT_EQ(t.expires_in, 300);
	auth_token_done(&t);
	const char *b = "{\"access_token\":\"xyz\"}";
	ASSERT_INT_EQ(auth_token_parse(b, strlen(b), &t, NULL), 0);
	ASSERT_STR_EQ(t.token, "xyz");
	ASSERT_INT_EQ(t.expires_in, 60);
	auth_token_done(&t);
	const char *bad[] = { "{}", "[]", "{\"token\":\"\"}", "{\"token\":\"a b\"}",
			      "{\"token\":\"a\\nb\"}", "{\"token\":1}" };
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		ASSERT_INT_EQ(auth_token_parse(bad[i], strlen(bad[i]), &t, NULL), -EINVAL);
}

static int find(const char *json, const char *registry, struct registry_credentials *c,
		struct error *err)
{
	return registry_credentials_find(json, strlen(json), registry, c, err);
}

TEST(credentials_come_from_auths_by_registry)
{
	/* "user:pass" and "me:p:w" (a password may hold ':') in base64. */
	const char *json = "{\"auths\":{"
			   "\"https://index.docker.io/v1/\":{\"auth\":\"dXNlcjpwYXNz\"},"
			   "\"127.0.0.1:5000\":{\"auth\":\"bWU6cDp3\"},"
			   "\"https://reg.example.com\":{\"username\":\"u2\",\"password\":\"p2\"}}}";
	struct registry_credentials c = { 0 };
	ASSERT_INT_EQ(find(json, "docker.io", &c, NULL), 0);
	ASSERT_STR_EQ(c.username, "user");
	ASSERT_STR_EQ(c.password, "pass");
	registry_credentials_done(&c);
	ASSERT_INT_EQ(find(json, "127.0.0.1:5000", &c, NULL), 0);
	ASSERT_STR_EQ(c.username, "me");
	ASSERT_STR_EQ(c.password, "p:w");
	registry_credentials_done(&c);
	ASSERT_INT_EQ(find(json, "reg.example.com", &c, NULL), 0);
	ASSERT_STR_EQ(c.username, "u2");
	registry_credentials_done(&c);
	ASSERT_INT_EQ(find(json, "127.0.0.1:5001", &c, NULL), -ENOENT);
	ASSERT_INT_EQ(find(json, "127.0.0.1", &c, NULL), -ENOENT);
}

TEST(credential_helpers_are_named_not_run_and_bad_entries_named)
{
	struct registry_credentials c = { 0 };
	struct error err = { 0 };
	/* Anonymous, as Docker without its helper; the reason is there for a refusal to name. */
	ASSERT_INT_EQ(find("{\"auths\":{},\"credsStore\":\"desktop\"}", "r.io", &c, &err),
		      -ENOENT);
	ASSERT_CONTAINS(err.message, "credsStore");
	ASSERT_INT_EQ(find("{\"credHelpers\":{\"r.io\":\"ecr-login\"}}", "r.io", &c, &err),
		      -ENOENT);
	ASSERT_CONTAINS(err.message, "credHelpers");
	ASSERT_INT_EQ(find("{\"auths\":{\"r.io\":{\"auth\":\"!!\"}}}", "r.io", &c, &err), -EINVAL);
	ASSERT_CONTAINS(err.message, "r.io");
	/* base64 of "nocolon" */
	ASSERT_INT_EQ(find("{\"auths\":{\"r.io\":{\"auth\":\"bm9jb2xvbg==\"}}}", "r.io", &c, &err),
		      -EINVAL);
	ASSERT_INT_EQ(find("{\"auths\":[]}", "r.io", &c, &err), -EINVAL);
	ASSERT_INT_EQ(find("not json", "r.io", &c, &err), -EINVAL);
}
