/* libcurl, opened at first use (common/dlopen_lib.h): only registration and registry pulls
 * need HTTP, so an agent that runs only local images never maps libcurl and the TLS,
 * Kerberos, LDAP and SSH libraries it brings. Call curl_dl_open() before any sym_curl_*
 * pointer. */
#pragma once

#include <curl/curl.h>

#include "common/dlopen_lib.h"
#include "common/error.h"

#define CURL_DL_SYMBOLS(X) X(curl_global_init) X(curl_global_cleanup) X(curl_easy_init) \
	X(curl_easy_setopt) X(curl_easy_perform) X(curl_easy_getinfo) X(curl_easy_cleanup) \
	X(curl_easy_strerror) X(curl_slist_append) X(curl_slist_free_all) X(curl_url) X(curl_url_set) \
	X(curl_url_get) X(curl_url_cleanup) X(curl_free) X(curl_easy_reset)
CURL_DL_SYMBOLS(DL_DECLARE)

int curl_dl_open(struct error *err);
