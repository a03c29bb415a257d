/* Standard base64 (RFC 4648, with padding), via OpenSSL. */
#pragma once

#include <stddef.h>

/* Encode; returns a NUL-terminated string the caller frees, or NULL on allocation failure. */
char *base64_encode(const void *data, size_t size);

/* Decode strictly (no whitespace, correct padding). Returns 0 and a buffer the caller frees,
 * or -EINVAL. */
int base64_decode(const char *text, unsigned char **ret_data, size_t *ret_size);
