#include <arpa/inet.h>
#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "common/curl_dl.h"
#include "agent/link/register_client.h"
#include "common/cleanup.h"

static bool host_is_loopback(const char *host)
{
	if (!strcasecmp(host, "localhost") || !strcmp(host, "[::1]") || !strcmp(host, "::1"))
		return true;
	struct in_addr a;
	return inet_pton(AF_INET, host, &a) == 1 && (ntohl(a.s_addr) >> 24) == 127;
}

int register_check_hub_url(const char *url, struct error *err)
{
	int r = curl_dl_open(err);
	if (r < 0)
		return r;
	CURLU *u = sym_curl_url();
	if (!u)
		return error_set(err, ENOMEM, "out of memory");
	char *scheme = NULL, *host = NULL;
	if (sym_curl_url_set(u, CURLUPART_URL, url, 0) != CURLUE_OK ||
	    sym_curl_url_get(u, CURLUPART_SCHEME, &scheme, 0) != CURLUE_OK ||
	    sym_curl_url_get(u, CURLUPART_HOST, &host, 0) != CURLUE_OK)
		r = error_set(err, EINVAL, "hub URL '%s' is not a valid URL", url);
	else if (strcmp(scheme, "https") != 0 && strcmp(scheme, "http") != 0)
		r = error_set(err, EINVAL, "hub URL must be https:// (got %s://)", scheme);
	else if (!strcmp(scheme, "http") && !host_is_loopback(host))
		r = error_set(err, EPERM, "plain http is allowed only for a loopback hub; use https://");
	sym_curl_free(scheme);
	sym_curl_free(host);
	sym_curl_url_cleanup(u);
	return r;
}

struct answer {
	char *data;
	size_t size;
	bool too_large;
};

static size_t collect(char *ptr, size_t size, size_t nmemb, void *userdata)
{
	struct answer *a = userdata;
	size_t n = size * nmemb;
	if (a->size + n > REGISTER_ANSWER_MAX) {
		a->too_large = true;
		return 0;
	}
	char *grown = realloc(a->data, a->size + n + 1);
	if (!grown)
		return 0;
	memcpy(grown + a->size, ptr, n);
	a->size += n;
	grown[a->size] = '\0';
	a->data = grown;
	return n;
}

int register_post(const char *hub_url, const char *ca_file, const char *json_body,
		  long *ret_status, char **ret_body, size_t *ret_size, struct error *err)
{
	int r = register_check_hub_url(hub_url, err);
	if (r < 0)
		return r;

	size_t len = strlen(hub_url);
	while (len > 0 && hub_url[len - 1] == '/')
		len--;
	_cleanup_free_ char *url = NULL;
	if (asprintf(&url, "%.*s/v1/register", (int)len, hub_url) < 0)
		return error_set(err, ENOMEM, "out of memory");

	CURL *c = sym_curl_easy_init();
	if (!c)
		return error_set(err, ENOMEM, "curl init failed");
	struct curl_slist *headers = sym_curl_slist_append(NULL, "Content-Type: application/json");
	struct answer a = { 0 };
	char curl_msg[CURL_ERROR_SIZE] = "";

	sym_curl_easy_setopt(c, CURLOPT_URL, url);
	sym_curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "http,https");
	sym_curl_easy_setopt(c, CURLOPT_POSTFIELDS, json_body);
	sym_curl_easy_setopt(c, CURLOPT_HTTPHEADER, headers);
	sym_curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT, 10L);
	sym_curl_easy_setopt(c, CURLOPT_TIMEOUT, 30L);
	sym_curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
	sym_curl_easy_setopt(c, CURLOPT_FOLLOWLOCATION, 0L);
	sym_curl_easy_setopt(c, CURLOPT_SSL_VERIFYPEER, 1L);
	sym_curl_easy_setopt(c, CURLOPT_SSL_VERIFYHOST, 2L);
	if (ca_file)
		sym_curl_easy_setopt(c, CURLOPT_CAINFO, ca_file);
	sym_curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, collect);
	sym_curl_easy_setopt(c, CURLOPT_WRITEDATA, &a);
	sym_curl_easy_setopt(c, CURLOPT_ERRORBUFFER, curl_msg);

	CURLcode cr = sym_curl_easy_perform(c);
	long status = 0;
	sym_curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &status);
	sym_curl_easy_cleanup(c);
	sym_curl_slist_free_all(headers);

	if (a.too_large)
		r = error_set(err, EFBIG, "POST %s: answer larger than %d bytes", url,
			      REGISTER_ANSWER_MAX);
	else if (cr != CURLE_OK)
		r = error_set(err, ECONNREFUSED, "POST %s: %s", url,
			      curl_msg[0] ? curl_msg : sym_curl_easy_strerror(cr));
	if (r < 0) {
		free(a.data);
		return r;
	}
	*ret_status = status;
	*ret_body = a.data ? a.data : strdup("");
	*ret_size = a.size;
	return *ret_body ? 0 : error_set(err, ENOMEM, "out of memory");
}
