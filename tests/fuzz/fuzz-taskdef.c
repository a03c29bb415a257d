/* Task definitions come from operators through the hub's API and from the hub to every agent. */
#include <stddef.h>
#include <stdint.h>

#include "protocol/taskdef.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct taskdef *td = NULL;
	struct error err = { 0 };
	if (taskdef_parse((const char *)data, size, &td, &err) == 0) {
		/* Exercise the accessors on every accepted definition. */
		(void)taskdef_reserved_cpu(td);
		(void)taskdef_reserved_memory_mib(td);
		(void)taskdef_requests_limits(td);
		taskdef_free(td);
	}
	return 0;
}
