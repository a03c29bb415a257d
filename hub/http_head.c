#include <errno.h>
#include <string.h>

#include "common/parse.h"
#include "hub/http_head.h"

/* More digits than this cannot be a length anybody sends; parse_u64 would say ERANGE. */
#define CONTENT_LENGTH_DIGITS_MAX 19

enum http_length http_content_length(const char *value, bool chunked, uint64_t max,
				     uint64_t *ret)
{
	if (chunked || !value)
		return HTTP_LENGTH_MISSING;
	size_t n = strlen(value);
	if (n == 0 || strspn(value, "0123456789") != n)
		return HTTP_LENGTH_INVALID;
	uint64_t length;
	int r = parse_u64(value, 0, UINT64_MAX, &length);
	if (r == -ERANGE || (r == 0 && length > max) || n > CONTENT_LENGTH_DIGITS_MAX)
		return HTTP_LENGTH_TOO_LARGE;
	if (r < 0)
		return HTTP_LENGTH_INVALID;
	*ret = length;
	return HTTP_LENGTH_OK;
}
