#include "common/base64.h"

#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>

char *base64_encode(const void *data, size_t size)
{
	if (size > (size_t)INT32_MAX / 2)
		return NULL;
	size_t out_len = 4 * ((size + 2) / 3);
	char *out = malloc(out_len + 1);
	if (!out)
		return NULL;
	EVP_EncodeBlock((unsigned char *)out, data, (int)size);
	out[out_len] = '\0';
	return out;
}

static int is_base64_char(char c)
{
	return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
	       c == '+' || c == '/';
}

int base64_decode(const char *text, unsigned char **ret_data, size_t *ret_size)
{
	size_t len = strlen(text);
	if (len % 4 != 0 || len > (size_t)INT32_MAX / 2)
		return -EINVAL;
	size_t padding = 0;
	for (size_t i = 0; i < len; i++) {
		if (text[i] == '=') {
			if (i < len - 2)
				return -EINVAL;
			padding++;
		} else if (padding || !is_base64_char(text[i])) {
			return -EINVAL;
		}
	}
	unsigned char *out = malloc(len / 4 * 3 + 1);
	if (!out)
		return -ENOMEM;
	int n = EVP_DecodeBlock(out, (const unsigned char *)text, (int)len);
	if (n < 0 || (size_t)n < padding) {
		free(out);
		return -EINVAL;
	}
	*ret_data = out;
	*ret_size = (size_t)n - padding;
	return 0;
}
