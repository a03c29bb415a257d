/* Every websocket message either side receives goes through frame_parse first. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include "protocol/frame.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct frame f = { 0 };
	struct error err = { 0 };
	if (frame_parse((const char *)data, size, &f, &err) == 0) {
		if (frame_type_is_reliable(f.type) && f.seq == 0)
			abort(); /* a reliable frame always carries its seq */
		free(frame_print(f.json));
		frame_release(&f);
	}
	return 0;
}
