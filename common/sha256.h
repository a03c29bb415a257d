/* sha256 of bytes as lowercase hex (OpenSSL), one-shot or over a stream. */
#pragma once

#include <stddef.h>

#include <openssl/evp.h>

#define SHA256_HEX_LEN 64

/* Incremental sha256 over a stream of bytes. */
struct sha256_stream {
	EVP_MD_CTX *ctx;
};

int sha256_stream_init(struct sha256_stream *s);
int sha256_stream_update(struct sha256_stream *s, const void *data, size_t size);
/* Finish into lowercase hex; the stream must be released afterwards all the same. */
int sha256_stream_final_hex(struct sha256_stream *s, char ret_hex[SHA256_HEX_LEN + 1]);
void sha256_stream_release(struct sha256_stream *s);

/* One-shot sha256 of a buffer into lowercase hex. */
int sha256_hex(const void *data, size_t size, char ret_hex[SHA256_HEX_LEN + 1]);
