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
