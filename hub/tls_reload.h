/* The hub's certificate and key read again from their files (on SIGHUP), so that a renewed
 * certificate is served without a restart that would drop every agent's link. The new pair is
 * checked on a scratch context first: a half-written file, a key that is not the
 * certificate's, or a missing file leaves the certificate being served as it was. Connections
 * already open keep the certificate they were made with; every new one gets the new one. */
#pragma once

#include <openssl/ssl.h>

#include "common/error.h"

struct tls_reload {
	const char *cert_path, *key_path;
	SSL_CTX *served; /* the listener's, as libwebsockets made it; NULL until known */
};

/* Load the files into served. On success fills ret_summary with the new certificate's
 * subject and serial (for the log line). */
int tls_reload_apply(struct tls_reload *t, char *ret_summary, size_t summary_size,
		     struct error *err);
