#include "image/digest.h"

#include <errno.h>
#include <string.h>

int digest_parse_sha256(const char *digest, char ret_hex[SHA256_HEX_LEN + 1])
{
	static const char prefix[] = "sha256:";
	if (!digest || strncmp(digest, prefix, sizeof(prefix) - 1) != 0)
		return -EINVAL;
	const char *hex = digest + sizeof(prefix) - 1;
	if (strlen(hex) != SHA256_HEX_LEN)
		return -EINVAL;
	for (size_t i = 0; i < SHA256_HEX_LEN; i++)
		if (!((hex[i] >= '0' && hex[i] <= '9') || (hex[i] >= 'a' && hex[i] <= 'f')))
			return -EINVAL;
	memcpy(ret_hex, hex, SHA256_HEX_LEN + 1);
	return 0;
}

int sha256_stream_init(struct sha256_stream *s)
{
	s->ctx = EVP_MD_CTX_new();
	if (!s->ctx)
		return -ENOMEM;
	if (EVP_DigestInit_ex(s->ctx, EVP_sha256(), NULL) != 1) {
		sha256_stream_release(s);
		return -EIO;
	}
	return 0;
}

int sha256_stream_update(struct sha256_stream *s, const void *data, size_t size)
{
	return EVP_DigestUpdate(s->ctx, data, size) == 1 ? 0 : -EIO;
}

int sha256_stream_final_hex(struct sha256_stream *s, char ret_hex[SHA256_HEX_LEN + 1])
{
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned int len = 0;
	if (EVP_DigestFinal_ex(s->ctx, md, &len) != 1 || len * 2 != SHA256_HEX_LEN)
		return -EIO;
	static const char digits[] = "0123456789abcdef";
	for (unsigned int i = 0; i < len; i++) {
		ret_hex[2 * i] = digits[md[i] >> 4];
		ret_hex[2 * i + 1] = digits[md[i] & 0xf];
	}
	ret_hex[SHA256_HEX_LEN] = '\0';
	return 0;
}

void sha256_stream_release(struct sha256_stream *s)
{
	EVP_MD_CTX_free(s->ctx);
	s->ctx = NULL;
}

int sha256_hex(const void *data, size_t size, char ret_hex[SHA256_HEX_LEN + 1])
{
	struct sha256_stream s;
	int r = sha256_stream_init(&s);
	if (r < 0)
		return r;
	r = sha256_stream_update(&s, data, size);
	if (r == 0)
		r = sha256_stream_final_hex(&s, ret_hex);
	sha256_stream_release(&s);
	return r;
}
