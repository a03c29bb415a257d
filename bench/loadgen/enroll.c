#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <cjson/cJSON.h>
#include <curl/curl.h>

#include "agent/register_client.h"
#include "agent/register_response.h"
#include "agent/version.h"
#include "bench/loadgen/enroll.h"
#include "common/cleanup.h"
#include "protocol/auth.h"
#include "protocol/json_value.h"

#define REGISTRATIONS_PER_ACTIVATION 1000 /* SSM's maximum RegistrationLimit */

struct activation {
	char id[64], code[128];
};

static size_t collect(char *ptr, size_t size, size_t nmemb, void *userdata)
{
	char *buf = userdata;
	size_t have = strlen(buf), n = size * nmemb;
	if (have + n >= 4096)
		return 0;
	memcpy(buf + have, ptr, n);
	buf[have + n] = '\0';
	return n;
}

static int create_activation(const char *hub_url, long limit, struct activation *ret,
			     struct error *err)
{
	char body[128], answer[4096] = "";
	snprintf(body, sizeof(body), "{\"IamRole\":\"loadgen\",\"RegistrationLimit\":%ld}", limit);
	CURL *c = curl_easy_init();
	if (!c)
		return error_set(err, ENOMEM, "curl init failed");
	struct curl_slist *h = curl_slist_append(NULL, "X-Amz-Target: AmazonSSM.CreateActivation");
	h = curl_slist_append(h, "Content-Type: application/x-amz-json-1.1");
	curl_easy_setopt(c, CURLOPT_URL, hub_url);
	curl_easy_setopt(c, CURLOPT_POSTFIELDS, body);
	curl_easy_setopt(c, CURLOPT_HTTPHEADER, h);
	curl_easy_setopt(c, CURLOPT_TIMEOUT, 30L);
	curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, collect);
	curl_easy_setopt(c, CURLOPT_WRITEDATA, answer);
	CURLcode cr = curl_easy_perform(c);
	curl_easy_cleanup(c);
	curl_slist_free_all(h);
	if (cr != CURLE_OK)
		return error_set(err, ECONNREFUSED, "CreateActivation: %s", curl_easy_strerror(cr));
	_cleanup_(cjson_deletep) cJSON *o = cJSON_Parse(answer);
	const cJSON *id = cJSON_GetObjectItemCaseSensitive(o, "ActivationId");
	const cJSON *code = cJSON_GetObjectItemCaseSensitive(o, "ActivationCode");
	if (!cJSON_IsString(id) || !cJSON_IsString(code))
		return error_set(err, EPROTO, "CreateActivation answered: %s", answer);
	snprintf(ret->id, sizeof(ret->id), "%s", id->valuestring);
	snprintf(ret->code, sizeof(ret->code), "%s", code->valuestring);
	return 0;
}

static char *register_body(const struct enroll_config *c, const struct activation *act,
			   const char *public_b64)
{
	_cleanup_(cjson_deletep) cJSON *j = cJSON_CreateObject();
	if (!j)
		return NULL;
	cJSON_AddStringToObject(j, "activation_id", act->id);
	cJSON_AddStringToObject(j, "activation_code", act->code);
	cJSON_AddStringToObject(j, "cluster", c->cluster);
	cJSON_AddStringToObject(j, "public_key", public_b64);
	cJSON_AddStringToObject(j, "hostname", c->host->hostname);
	cJSON_AddStringToObject(j, "agent_version", TETHER_VERSION);
	cJSON_AddStringToObject(j, "protocol", TETHER_PROTOCOL_VERSION);
	cJSON_AddItemToObject(j, "resources", hostinfo_resources_json(c->host));
	cJSON_AddItemToObject(j, "attributes", hostinfo_attributes_json(c->host));
	return cJSON_PrintUnformatted(j);
}

static int register_one(const struct enroll_config *c, const struct activation *act,
			struct sim_agent *a, struct error *err)
{
	_cleanup_free_ char *pem = NULL, *pub = NULL, *body = NULL, *answer = NULL;
	if (auth_generate_key(&pem, &pub, err) < 0 || auth_load_private_key(pem, &a->key, err) < 0)
		return -EIO;
	if (!(body = register_body(c, act, pub)))
		return error_set(err, ENOMEM, "out of memory");
	long status = 0;
	size_t size = 0;
	if (register_post(c->hub_url, NULL, body, &status, &answer, &size, err) < 0)
		return -EIO;
	if (status != 200)
		return register_refusal_parse(status, answer, size, err);
	struct register_result res = { 0 };
	if (register_response_parse(answer, size, &res, err) < 0)
		return -EPROTO;
	snprintf(a->node_id, sizeof(a->node_id), "%s", res.node_id);
	register_result_release(&res);
	return 0;
}

int enroll_fleet(const struct enroll_config *c, struct sim_agent *agents, size_t n,
		 struct error *err)
{
	struct activation act = { 0 };
	for (size_t i = 0; i < n; i++) {
		if (i % REGISTRATIONS_PER_ACTIVATION == 0) {
			size_t left = n - i;
			long limit = left < REGISTRATIONS_PER_ACTIVATION ? (long)left
									 : REGISTRATIONS_PER_ACTIVATION;
			if (create_activation(c->hub_url, limit, &act, err) < 0)
				return -EIO;
		}
		if (register_one(c, &act, &agents[i], err) < 0)
			return error_wrap(err, "registering agent %zu", i);
	}
	return 0;
}
