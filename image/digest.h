/* Content digests as OCI writes them ("sha256:<64 lowercase hex>"). Only sha256 is accepted:
 * the hex part names files and folders, so it is validated strictly before any use. */
#pragma once

#include <stddef.h>

#include "common/sha256.h"

/* Check that digest is "sha256:" followed by 64 lowercase hex digits and copy the hex part
 * into ret_hex. Returns 0 or -EINVAL (other algorithms included). */
int digest_parse_sha256(const char *digest, char ret_hex[SHA256_HEX_LEN + 1]);
