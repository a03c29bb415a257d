#include "image/registry_auth.h"

#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "common/base64.h"
#include "common/cleanup.h"
#include "protocol/json_value.h"

#define TOKEN_MAX_LEN (64u << 10)
#define TOKEN_DEFAULT_EXPIRY 60
#define CONFIG_MAX_SIZE (1u << 20)
#define DOCKER_HUB_AUTH_KEY "https://index.docker.io/v1/"

static bool is_tchar(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
	       (c && strchr("!#$%&'*+-.^_`|~", c));
}

static const char *skip_spaces(const char *p)
{
	while (*p == ' ' || *p == '\t')
		p++;
	return p;
}

/* One auth-param, name=token or name="quoted \"string\"": the value is unescaped into a new
 * string. *pp moves past it. */
static int read_param(const char **pp, char **ret_name, char **ret_value)
{
	const char *p = *pp, *name = p;
	while (is_tchar(*p))
		p++;
	size_t name_n = (size_t)(p - name);
	p = skip_spaces(p);
	if (name_n == 0 || *p != '=')
		return -EINVAL;
	p = skip_spaces(p + 1);
	size_t len = strlen(p);
	_cleanup_free_ char *value = malloc(len + 1);
	if (!value)
		return -ENOMEM;
	size_t n = 0;
	if (*p == '"') {
		for (p++; *p != '"'; p++) {
			if (!*p)
				return -EINVAL;
			if (*p == '\\' && p[1])
				p++;
			value[n++] = *p;
		}
		p++;
	} else {
		while (is_tchar(*p) || *p == '/' || *p == ':')
			value[n++] = *p++;
		if (n == 0)
			return -EINVAL;
	}
	value[n] = '\0';
	if (!(*ret_name = strndup(name, name_n)))
		return -ENOMEM;
	*ret_value = TAKE_PTR(value);
	*pp = p;
	return 0;
}

void auth_challenge_done(struct auth_challenge *c)
{
	free(c->realm);
	free(c->service);
	free(c->scope);
	*c = (struct auth_challenge){ 0 };
}

int auth_challenge_parse(const char *value, struct auth_challenge *ret, struct error *err)
{
	if (strlen(value) > REGISTRY_HEADER_MAX)
		return error_set(err, EINVAL, "WWW-Authenticate longer than %d bytes",
				 REGISTRY_HEADER_MAX);
	const char *p = skip_spaces(value), *scheme = p;
	while (is_tchar(*p))
		p++;
	size_t scheme_n = (size_t)(p - scheme);
	_cleanup_(auth_challenge_done) struct auth_challenge c = { 0 };
	if (scheme_n == 5 && !strncasecmp(scheme, "Basic", 5))
		c.scheme = AUTH_BASIC;
	else if (scheme_n == 6 && !strncasecmp(scheme, "Bearer", 6))
		c.scheme = AUTH_BEARER;
	else
		return error_set(err, EPROTONOSUPPORT, "registry asks for authentication scheme "
				 "\"%.*s\" (tether answers Basic and Bearer)",
				 (int)(scheme_n > 40 ? 40 : scheme_n), scheme);
	for (p = skip_spaces(p); *p; p = skip_spaces(p)) {
		_cleanup_free_ char *name = NULL, *v = NULL;
		int r = read_param(&p, &name, &v);
		if (r == -ENOMEM)
			return error_set(err, ENOMEM, "out of memory");
		if (r < 0)
			return error_set(err, EINVAL, "malformed WWW-Authenticate \"%.200s\"", value);
		char **slot = !strcasecmp(name, "realm")   ? &c.realm
			      : !strcasecmp(name, "service") ? &c.service
			      : !strcasecmp(name, "scope")   ? &c.scope
							     : NULL;
		if (slot) {
			free(*slot);
			*slot = TAKE_PTR(v);
		}
		p = skip_spaces(p);
		if (*p == ',')
			p++;
		else if (*p)
			return error_set(err, EINVAL, "malformed WWW-Authenticate \"%.200s\"", value);
	}
	if (c.scheme == AUTH_BEARER && (!c.realm || (strncmp(c.realm, "https://", 8) != 0 &&
						     strncmp(c.realm, "http://", 7) != 0)))
		return error_set(err, EINVAL, "Bearer challenge without an http(s) realm: \"%.200s\"",
				 value);
	*ret = c;
	c = (struct auth_challenge){ 0 };
	return 0;
}

void auth_token_done(struct auth_token *t)
{
	free(t->token);
	*t = (struct auth_token){ 0 };
}

int auth_token_parse(const char *json, size_t size, struct auth_token *ret, struct error *err)
{
	if (json_text_has_nul(json, size))
		return error_set(err, EINVAL, "token answer holds a NUL byte");
	_cleanup_(cjson_deletep) cJSON *doc = cJSON_ParseWithLength(json, size);
	if (!cJSON_IsObject(doc))
		return error_set(err, EINVAL, "token answer is not a JSON object");
	const char *token = json_string_member(doc, "token");
	if (!token || !*token)
		token = json_string_member(doc, "access_token");
	if (!token || !*token)
		return error_set(err, EINVAL, "token answer has neither token nor access_token");
	if (strlen(token) > TOKEN_MAX_LEN)
		return error_set(err, EINVAL, "token longer than %u bytes", TOKEN_MAX_LEN);
	for (const char *p = token; *p; p++)
		if (*p < 0x21 || *p > 0x7e)
			return error_set(err, EINVAL, "token holds a character a header cannot carry");
	int64_t expires = TOKEN_DEFAULT_EXPIRY;
	const cJSON *e = cJSON_GetObjectItemCaseSensitive(doc, "expires_in");
	if (e && json_is_unsigned_integer(e) && e->valuedouble >= 1)
		expires = e->valuedouble > 86400 ? 86400 : (int64_t)e->valuedouble;
	if (!(ret->token = strdup(token)))
		return error_set(err, ENOMEM, "out of memory");
	ret->expires_in = expires;
	return 0;
}

void registry_credentials_done(struct registry_credentials *c)
{
	if (c->password)
		explicit_bzero(c->password, strlen(c->password));
	free(c->username);
	free(c->password);
	*c = (struct registry_credentials){ 0 };
}

/* "https://host:port/v1/" and "host:port" name the same registry. */
static bool key_names(const char *key, const char *registry)
{
	if (!strcmp(registry, "docker.io") &&
	    (!strcmp(key, DOCKER_HUB_AUTH_KEY) || !strcmp(key, "index.docker.io") ||
	     !strcmp(key, "registry-1.docker.io")))
		return true;
	const char *k = key;
	if (!strncmp(k, "https://", 8))
		k += 8;
	else if (!strncmp(k, "http://", 7))
		k += 7;
	size_t n = strlen(registry);
	return !strncmp(k, registry, n) && (k[n] == '\0' || k[n] == '/');
}

static int credentials_of(const cJSON *entry, const char *key, struct registry_credentials *ret,
			  struct error *err)
{
	const char *auth = json_string_member(entry, "auth");
	if (auth && *auth) {
		_cleanup_free_ unsigned char *raw = NULL;
		size_t n = 0;
		if (base64_decode(auth, &raw, &n) < 0)
			return error_set(err, EINVAL, "auths[\"%.100s\"].auth is not base64", key);
		const unsigned char *colon = memchr(raw, ':', n);
		if (!colon || memchr(raw, '\0', n))
			return error_set(err, EINVAL, "auths[\"%.100s\"].auth is not user:password", key);
		ret->username = strndup((const char *)raw, (size_t)(colon - raw));
		ret->password = strndup((const char *)colon + 1, n - (size_t)(colon - raw) - 1);
		explicit_bzero(raw, n);
	} else {
		const char *user = json_string_member(entry, "username");
		const char *password = json_string_member(entry, "password");
		if (!user || !password)
			return -ENOENT;
		ret->username = strdup(user);
		ret->password = strdup(password);
	}
	if (!ret->username || !ret->password) {
		registry_credentials_done(ret);
		return error_set(err, ENOMEM, "out of memory");
	}
	return 0;
}

int registry_credentials_find(const char *json, size_t size, const char *registry,
			      struct registry_credentials *ret, struct error *err)
{
	if (size > CONFIG_MAX_SIZE)
		return error_set(err, EFBIG, "larger than %u bytes", CONFIG_MAX_SIZE);
	if (json_text_has_nul(json, size))
		return error_set(err, EINVAL, "holds a NUL byte");
	_cleanup_(cjson_deletep) cJSON *doc = cJSON_ParseWithLength(json, size);
	if (!cJSON_IsObject(doc))
		return error_set(err, EINVAL, "not a JSON object");
	const cJSON *auths = cJSON_GetObjectItemCaseSensitive(doc, "auths");
	if (auths && !cJSON_IsObject(auths))
		return error_set(err, EINVAL, "auths is not an object");
	const cJSON *entry;
	cJSON_ArrayForEach(entry, auths) {
		if (!entry->string || !key_names(entry->string, registry))
			continue;
		if (!cJSON_IsObject(entry))
			return error_set(err, EINVAL, "auths[\"%.100s\"] is not an object", entry->string);
		int r = credentials_of(entry, entry->string, ret, err);
		if (r != -ENOENT)
			return r;
	}
	/* Pulls go on anonymously, as Docker's would without the helper; the reason is left in
	 * err for the caller to give should the registry want credentials. */
	const char *helpers[] = { "credsStore", "credHelpers" };
	for (size_t i = 0; i < 2; i++)
		if (cJSON_GetObjectItemCaseSensitive(doc, helpers[i]))
			error_set(err, EOPNOTSUPP, "%s is not read (tether runs no credential "
				  "helper): give %s an \"auth\" in \"auths\"", helpers[i], registry);
	return -ENOENT;
}
