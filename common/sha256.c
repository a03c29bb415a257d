#include "common/sha256.h"

#include <errno.h>

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
