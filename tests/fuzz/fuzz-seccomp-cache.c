/* A seccomp cache file is read from disk before its program is loaded into containers: any
 * bytes must be refused or decoded, never read past. The key is the input's first 8 bytes. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "monitor/seccomp_cache.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	uint64_t key = 0;
	if (size < sizeof(key))
		return 0;
	memcpy(&key, data, sizeof(key));
	struct sock_filter *program = NULL;
	size_t n = 0;
	if (seccomp_cache_decode(data + sizeof(key), size - sizeof(key), key, &program, &n) == 0)
		free(program);
	return 0;
}
