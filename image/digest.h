/* Content digests as OCI writes them ("sha256:<64 lowercase hex>"). Only sha256 is accepted:
 * the hex part names files and folders, so it is validated strictly before any use. */
#pragma once

#include <stddef.h>

#include <openssl/evp.h>

#define SHA256_HEX_LEN 64

/* Check that digest is "sha256:" followed by 64 lowercase hex digits and copy the hex part
 * into ret_hex. Returns 0 or -EINVAL (other algorithms included). */
int digest_parse_sha256(const char *digest, char ret_hex[SHA256_HEX_LEN + 1]);

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
