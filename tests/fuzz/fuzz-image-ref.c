/* Image references come from task definitions, written by operators or anyone who can
 * register one: parse them, and read the result back. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include "image/image_ref.h"
#include "tests/fuzz/fuzz_text.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size > 2048)
		return 0;
	char *text = fuzz_text(data, size);
	if (!text)
		return 0;
	struct image_ref ref = { 0 };
	struct error err = { 0 };
	if (image_ref_parse(text, &ref, &err) == 0) {
		if (!image_ref_manifest_name(&ref))
			abort();
		(void)image_ref_registry_is_loopback(ref.registry);
		image_ref_done(&ref);
	}
	(void)image_ref_registry_is_loopback(text);
	free(text);
	return 0;
}
