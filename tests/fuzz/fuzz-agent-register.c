/* The hub's answer to a registration, success and refusal alike. */
#include <stddef.h>
#include <stdint.h>

#include "agent/link/register_response.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct register_result res = { 0 };
	struct error err = { 0 };
	if (register_response_parse((const char *)data, size, &res, &err) >= 0)
		register_result_release(&res);
	register_refusal_parse(403, (const char *)data, size, &err);
	return 0;
}
