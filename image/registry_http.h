/* One HTTP GET to a registry over libcurl (common/curl_dl.h), the body going to memory
 * (bounded) or to a file descriptor through a sha256 stream, and the response headers a
 * registry client reads. Knows nothing of the distribution API: registry_client.c does. */
#pragma once

#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "common/error.h"
#include "common/sha256.h"

/* The CAs a registry with a CA of its own is checked against: that one and the system's, for
 * a registry may send its blobs or its token realm to hosts the system's CAs vouch for. */
struct registry_ca {
	char *pem;
	size_t size;
};

/* CA_FILE and the bundle libcurl uses by default, concatenated into *RET. */
int registry_ca_load(const char *ca_file, struct registry_ca *ret, struct error *err);

struct registry_http_request {
	const char *url;
	const char *accept;        /* Accept header value, or NULL */
	const char *authorization; /* Authorization header value, or NULL */
	const struct registry_ca *ca; /* a registry's own CA with the system's, or NULL */
	uint64_t range_from;       /* > 0: ask for bytes range_from.. (a resumed transfer) */
	/* The body: into memory, at most max_size bytes (more is -EFBIG) ... */
	size_t max_size;
	/* ... or, when fd >= 0, appended to fd and hashed, at most max_size bytes in all
	 * counting range_from (the descriptor's size). */
	int fd;
	struct sha256_stream *hash;
	_Atomic uint64_t *progress; /* fd sink: bytes written are added here (may be NULL) */
};

struct registry_http_response {
	long status;
	char *body;              /* memory sink: NUL-terminated; NULL for an fd sink */
	size_t size;             /* bytes received in this request */
	char *content_type;      /* NULL when absent */
	char *content_digest;    /* Docker-Content-Digest, NULL when absent */
	char *www_authenticate;  /* the first WWW-Authenticate, NULL when absent */
	char *retry_after;       /* NULL when absent */
	bool transport_failed;   /* connection refused, reset, timed out, TLS: worth a retry */
	bool tls_failed;         /* the TLS handshake failed (plain HTTP on the other end?) */
	bool restarted;          /* a range was asked, the whole came: the fd sink started over */
};

/* 0 when an HTTP answer came (any status), or -errno with the transport's reason in err
 * (response->transport_failed then says whether it may be tried again). */
int registry_http_get(const struct registry_http_request *req,
		      struct registry_http_response *response, struct error *err);
void registry_http_response_done(struct registry_http_response *response);
