/* Content-Length values as a client may send them, through the check that decides how much
 * body the hub reads. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "hub/http_head.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *value = strndup((const char *)data, size);
	if (!value)
		return 0;
	uint64_t length = 0;
	enum http_length verdict = http_content_length(value, false, 65536, &length);
	if (verdict == HTTP_LENGTH_OK && (length > 65536 || value[0] < '0' || value[0] > '9'))
		abort();
	free(value);
	return 0;
}
