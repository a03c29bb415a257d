/* Authorization and X-Amz-Date headers as any client may send them, through the parsers that
 * read them before a signature is checked. */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hub/sigv4.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char *no_headers(void *ctx, const char *name, char *buf, size_t n)
{
	(void)ctx;
	snprintf(buf, n, "%s", name); /* any value: the builder must not care */
	return buf;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *text = strndup((const char *)data, size);
	if (!text)
		return 0;
	struct sigv4_authorization a;
	char why[512];
	if (sigv4_parse_authorization(text, &a, why, sizeof(why)) == 0) {
		if (!a.key_id[0] || a.n_names == 0 || a.n_names > SIGV4_SIGNED_HEADERS_MAX ||
		    strlen(a.date) != 8 || strcmp(a.names[0], a.names_buf) != 0)
			abort();
		char *headers = NULL;
		if (sigv4_canonical_headers(&a, no_headers, NULL, &headers) == 0)
			free(headers);
		char sig[SIGV4_HEX_LEN + 1];
		struct sigv4_request r = { "POST", "/", "", "", "", "20240102T030405Z" };
		if (sigv4_signature("secret", &a, &r, sig) == 0 && sigv4_signature_matches(&a, sig) &&
		    strcmp(a.signature, sig) != 0)
			abort();
	}
	time_t t;
	if (sigv4_parse_amz_date(text, &t) == 0) {
		char back[SIGV4_AMZ_DATE_LEN + 1];
		sigv4_format_amz_date(t, back);
		if (strcmp(back, text) != 0)
			abort();
	}
	char value[64];
	sigv4_canonical_value(text, value, sizeof(value));
	free(text);
	return 0;
}
