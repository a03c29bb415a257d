#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <cjson/cJSON.h>
#include <curl/curl.h>

#include "agent/link/register_client.h"
#include "agent/link/register_response.h"
#include "agent/link/version.h"
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
	curl_easy_setopt(c, CURLOPT_WRITEDATA, (void *)answer);
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

/* Registrations in flight at once: the client's key generation and HTTP work overlap the
 * hub's, as many agents registering at the same time would. */
#define IN_FLIGHT 16
#define ANSWER_MAX 4096

struct registration {
	CURL *easy;
	struct curl_slist *headers;
	struct sim_agent *agent;
	char *body;
	char answer[ANSWER_MAX];
};

static void registration_release(CURLM *m, struct registration *r)
{
	if (r->easy) {
		curl_multi_remove_handle(m, r->easy);
		curl_easy_cleanup(r->easy);
	}
	curl_slist_free_all(r->headers);
	free(r->body);
	*r = (struct registration){ 0 };
}

static int registration_start(CURLM *m, const struct enroll_config *c,
			      const struct activation *act, struct sim_agent *a,
			      struct registration *r, struct error *err)
{
	_cleanup_free_ char *pem = NULL, *pub = NULL;
	if (auth_generate_key(&pem, &pub, err) < 0 || auth_load_private_key(pem, &a->key, err) < 0)
		return -EIO;
	_cleanup_free_ char *url = NULL;
	r->agent = a;
	if (!(r->body = register_body(c, act, pub)) || asprintf(&url, "%s/v1/register", c->hub_url) < 0 ||
	    !(r->easy = curl_easy_init()) ||
	    !(r->headers = curl_slist_append(NULL, "Content-Type: application/json")))
		return error_set(err, ENOMEM, "out of memory");
	curl_easy_setopt(r->easy, CURLOPT_URL, url);
	curl_easy_setopt(r->easy, CURLOPT_POSTFIELDS, r->body);
	curl_easy_setopt(r->easy, CURLOPT_HTTPHEADER, r->headers);
	curl_easy_setopt(r->easy, CURLOPT_TIMEOUT, 60L);
	curl_easy_setopt(r->easy, CURLOPT_WRITEFUNCTION, collect);
	curl_easy_setopt(r->easy, CURLOPT_WRITEDATA, (void *)r->answer);
	curl_easy_setopt(r->easy, CURLOPT_PRIVATE, r);
	if (curl_multi_add_handle(m, r->easy) != CURLM_OK)
		return error_set(err, EIO, "curl_multi_add_handle failed");
	return 0;
}

static int registration_finish(struct registration *r, CURLcode result, struct error *err)
{
	long status = 0;
	curl_easy_getinfo(r->easy, CURLINFO_RESPONSE_CODE, &status);
	size_t size = strlen(r->answer);
	if (result != CURLE_OK)
		return error_set(err, ECONNREFUSED, "POST /v1/register: %s", curl_easy_strerror(result));
	if (status != 200)
		return register_refusal_parse(status, r->answer, size, err);
	struct register_result res = { 0 };
	if (register_response_parse(r->answer, size, &res, err) < 0)
		return -EPROTO;
	snprintf(r->agent->node_id, sizeof(r->agent->node_id), "%s", res.node_id);
	register_result_release(&res);
	return 0;
}

int enroll_fleet(const struct enroll_config *c, struct sim_agent *agents, size_t n,
		 struct error *err)
{
	if (register_check_hub_url(c->hub_url, err) < 0)
		return -EINVAL;
	size_t n_acts = (n + REGISTRATIONS_PER_ACTIVATION - 1) / REGISTRATIONS_PER_ACTIVATION;
	_cleanup_free_ struct activation *acts = calloc(n_acts, sizeof(*acts));
	if (!acts)
		return error_set(err, ENOMEM, "out of memory");
	for (size_t i = 0; i < n_acts; i++) {
		size_t left = n - i * REGISTRATIONS_PER_ACTIVATION;
		long limit = left < REGISTRATIONS_PER_ACTIVATION ? (long)left : REGISTRATIONS_PER_ACTIVATION;
		if (create_activation(c->hub_url, limit, &acts[i], err) < 0)
			return -EIO;
	}
	CURLM *m = curl_multi_init();
	struct registration slots[IN_FLIGHT] = { 0 };
	size_t next = 0, done = 0;
	int r = m ? 0 : error_set(err, ENOMEM, "out of memory");
	while (r == 0 && done < n) {
		for (size_t i = 0; r == 0 && i < IN_FLIGHT && next < n; i++)
			if (!slots[i].easy) {
				r = registration_start(m, c, &acts[next / REGISTRATIONS_PER_ACTIVATION],
						       &agents[next], &slots[i], err);
				next++;
			}
		int running = 0, left = 0;
		curl_multi_perform(m, &running);
		CURLMsg *msg;
		while (r == 0 && (msg = curl_multi_info_read(m, &left))) {
			struct registration *reg = NULL;
			if (msg->msg != CURLMSG_DONE)
				continue;
			curl_easy_getinfo(msg->easy_handle, CURLINFO_PRIVATE, (char **)&reg);
			r = registration_finish(reg, msg->data.result, err);
			registration_release(m, reg);
			done++;
		}
		if (r == 0 && done < n)
			curl_multi_poll(m, NULL, 0, 100, NULL);
	}
	for (size_t i = 0; i < IN_FLIGHT; i++)
		registration_release(m, &slots[i]);
	curl_multi_cleanup(m);
	return r < 0 ? error_wrap(err, "registering %zu agents", n) : 0;
}
